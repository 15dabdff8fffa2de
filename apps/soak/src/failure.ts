/** What went wrong, for the summary's counts. */
export type FailureKind = 'wrong bytes' | 'hang' | 'slow reset' | 'unexpected error' | 'close early' | 'server exit' | 'growth' | 'setup';

/** One reason the run failed. */
export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
}
