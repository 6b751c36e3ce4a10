import { OcrmError, type OcrmErrorOptions } from '@ocrm/core';

/** Offline mode (`HF_HUB_OFFLINE=1`) and the file is not in the cache. Code `OFFLINE_MISS`. */
export class OfflineMissError extends OcrmError {
  constructor(message: string, options?: OcrmErrorOptions) {
    super('OFFLINE_MISS', message, options);
    this.name = 'OfflineMissError';
  }
}

/** A Hub request failed (network, server error, authentication). Code `HUB`. */
export class HubError extends OcrmError {
  /** HTTP status when the server answered. */
  readonly status?: number;
  constructor(message: string, options: OcrmErrorOptions & { status?: number } = {}) {
    super('HUB', message, options);
    this.name = 'HubError';
    this.status = options.status;
  }
}
