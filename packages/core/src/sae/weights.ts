/** The SAE architectures saekit knows; the names are SAELens's `architecture` values. */
export type Architecture = 'topk' | 'batchtopk' | 'jumprelu' | 'standard';

/**
 * An SAE's parameters in host memory, the form checkpoints are read into and written from.
 * Both matrices are latent-major: wEnc and wDec are [dSae, dIn] row-major (formats that
 * want W_enc as [dIn, dSae] transpose on export). Activations are raw: any input scaling
 * used in training has already been folded in.
 */
export interface SaeWeights {
  readonly architecture: Architecture;
  readonly dIn: number;
  readonly dSae: number;
  /** Active latents per token (topk), or the mean per token (batchtopk). */
  readonly k?: number;
  readonly wEnc: Float32Array;
  readonly wDec: Float32Array;
  readonly bEnc: Float32Array;
  readonly bDec: Float32Array;
  /** Per-latent threshold: JumpReLU, or BatchTopK's single learned threshold repeated. */
  readonly threshold?: Float32Array;
  /** Whether encode subtracts bDec from the input first (false for Gemma Scope). */
  readonly applyBDecToInput: boolean;
  /**
   * The input scale s a trainer multiplied activations by, already folded into these
   * weights (b_enc, b_dec and thresholds divided by s); recorded so a checkpoint's cfg can say
   * so. Absent or 1 when no scaling was used.
   */
  readonly foldedInputScale?: number;
  /**
   * A Matryoshka-trained SAE's nested prefix sizes (ending with dSae). Informational: the SAE
   * runs as its architecture says; the first m_j latents alone are a coarser SAE.
   */
  readonly matryoshkaWidths?: readonly number[];
  /**
   * A transcoder: it predicts a target activation (e.g. an MLP's output, same width) from its
   * input, so its FVU is measured against the target. Its input is never centred by b_dec
   * (applyBDecToInput false; SAELens refuses it for transcoders too).
   */
  readonly transcoder?: boolean;
  /** A transcoder's target scale t folded in at export (see Trainer.exportWeights). */
  readonly foldedTargetScale?: number;
}
