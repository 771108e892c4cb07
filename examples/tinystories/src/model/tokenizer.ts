/** The llama2.c tokenizer lives in @saekit/io; the model code keeps its short names. */
export { LLAMA2C_BOS as BOS, LLAMA2C_EOS as EOS, Llama2cTokenizer as Tokenizer } from '@saekit/io';
