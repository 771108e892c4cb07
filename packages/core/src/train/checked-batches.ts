/**
 * Batches whose producer has already checked every value for finiteness, and would have thrown
 * a DataError naming the file and row otherwise (io's ActivationDataset checks each shard as it
 * decodes it). The trainer skips its own pass over a marked batch: at the design shape that
 * pass reads 3.1M floats per step on the thread that also encodes the device's work.
 *
 * A mark vouches for the array's current contents. A producer that refills a reused array
 * checks the new values before handing it on; a consumer that writes into a marked batch must
 * not pass it to a trainer. A batch not marked (any array a caller builds) is checked as before.
 */
const checked = new WeakSet<Float32Array>();

/** Declares `batch` checked for finite values by its producer; returns it. */
export function markFinite(batch: Float32Array): Float32Array {
  checked.add(batch);
  return batch;
}

/** Whether `batch` was declared checked with `markFinite`. */
export function isMarkedFinite(batch: Float32Array): boolean {
  return checked.has(batch);
}
