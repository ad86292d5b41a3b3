/**
 * The console asks for CPU in cores and memory in MiB; Kubernetes wants quantities. Kubernetes cannot
 * express less than a millicore, so finer CPU values are refused rather than rounded.
 */

/** Millicores for `0.5`, `"0.5"`, `2`, `"500m"`; undefined when the value is not a positive CPU amount. */
export function cpuMillicores(value: number | string): number | undefined {
  const text = String(value).trim();
  const milli = /^(\d+)m$/.exec(text);
  if (milli) {
    const amount = Number(milli[1]);
    return amount > 0 ? amount : undefined;
  }
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) return undefined;
  const cores = Number(text);
  const millicores = Math.round(cores * 1000);
  if (cores <= 0 || Math.abs(millicores - cores * 1000) > 1e-6) return undefined;
  return millicores;
}

/** `"500m"` for half a core, `"2"` for two. */
export function cpuQuantity(value: number | string): string {
  const millicores = cpuMillicores(value);
  if (millicores === undefined) throw new RangeError(`not a CPU amount: ${value}`);
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** Whether `mib` is a positive MiB amount Kubernetes can hold (whole KiB). */
export function isMemoryMiB(mib: number): boolean {
  return Number.isFinite(mib) && mib > 0 && Number.isInteger(Math.round(mib * 1024 * 1e6) / 1e6);
}

/** `"128Mi"`; fractions of a MiB become KiB (`0.5` → `"512Ki"`). */
export function memoryQuantity(mib: number): string {
  if (!isMemoryMiB(mib)) throw new RangeError(`not a memory amount: ${mib}`);
  return Number.isInteger(mib) ? `${mib}Mi` : `${Math.round(mib * 1024)}Ki`;
}
