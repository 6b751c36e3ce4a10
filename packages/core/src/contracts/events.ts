/**
 * Events of long-running work. Every trainer has two faces: `trainXxx(opts): Promise<Result>` and
 * `trainXxxIter(opts): AsyncIterable<TrainEvent>`; both accept an `AbortSignal`.
 * Metric names are slash-namespaced (`loss/policy`, `objective/kl`).
 */
export type TrainEvent =
  | { type: 'run-start'; stage: string; totalSteps: number; time: number }
  | {
      type: 'step-end';
      stage: string;
      step: number;
      totalSteps: number;
      metrics: Record<string, number>;
      time: number;
    }
  | { type: 'eval-end'; stage: string; step: number; metrics: Record<string, number>; time: number }
  | { type: 'checkpoint'; stage: string; step: number; path: string; time: number }
  | { type: 'run-end'; stage: string; step: number; metrics: Record<string, number>; time: number };

/** The `type` field of {@link TrainEvent}. */
export type TrainEventType = TrainEvent['type'];

/** A callback receiving events (the Promise face of a trainer accepts one as `onEvent`). */
export type EventHandler = (event: TrainEvent) => void;
