import { byText } from "../release/index.ts";
import type { Store, StoredRecord } from "../store/index.ts";
import type { GatedRelease } from "./types.ts";

/** The store's `gated` collection, typed: the only code that writes it. */
export class GatedReleases {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  get(id: string): GatedRelease | undefined {
    const record = this.#store.data().gated?.[id];
    return record ? (structuredClone(record) as unknown as GatedRelease) : undefined;
  }

  all(namespace?: string): GatedRelease[] {
    return (Object.values(this.#store.data().gated ?? {}) as unknown as GatedRelease[])
      .filter((r) => !namespace || r.namespace === namespace)
      .sort((a, b) => byText(a.id, b.id));
  }

  /** Creates or updates a release with what its controller reports now; returns it as stored. */
  save(release: GatedRelease): Promise<GatedRelease> {
    return this.#store.update((d) => {
      d.gated ??= {};
      const kept = d.gated[release.id] as unknown as GatedRelease | undefined;
      const next: GatedRelease = { ...release, ...(kept?.card && !release.card ? { card: kept.card } : {}) };
      d.gated[release.id] = next as unknown as StoredRecord;
      return structuredClone(next);
    });
  }

  setCard(id: string, card: { channel: string; ts: string }): Promise<void> {
    return this.#store.update((d) => {
      const record = d.gated?.[id];
      if (record) record.card = card;
    });
  }
}
