/**
 * One holder at a time among any number of instances (the projections and the
 * relay run in the holder only). The adapter calls the `onChange` it was given
 * with true once this instance holds the lease and false once it no longer does.
 */
export interface Lease {
  readonly held: boolean;
  /** Stops contending; a holder stops its work (onChange(false)) and hands the lease back. */
  stop(): Promise<void>;
}

export type JoinLease = (onChange: (held: boolean) => Promise<void>) => Promise<Lease>;
