import { DecisionContext, Decider, DomainEvent, fold } from '../../common/decider';
import { DomainError } from '../../common/domain-error';

/**
 * Test helper: `scenario(decider).given(events…).when(command, ctx).then(events) | thenMatch(partial) |
 * thenThrows(code, kind)`. `given` takes one or more histories and folds them with the decider.
 */
export function scenario<C, E extends DomainEvent, S>(decider: Decider<C, E, S>) {
  return {
    given(...histories: E[][]) {
      const history = histories.flat();
      const state: S = fold(decider, history);
      return {
        history,
        state,
        when(command: C, ctx: DecisionContext) {
          const run = () => decider.decide(command, state, ctx);
          return {
            /** Exactly these events. Returns the history extended by them. */
            then(expected: E[]): E[] {
              const events = run();
              expect(events).toEqual(expected);
              return [...history, ...events];
            },
            /** Same event types in order, each matching the given partial data. Returns the extended history. */
            thenMatch(expected: Array<{ type: string; data?: unknown }>): E[] {
              const events = run();
              expect(events.map((e) => e.type)).toEqual(expected.map((e) => e.type));
              expect(events).toMatchObject(expected);
              return [...history, ...events];
            },
            thenThrows(code: string, kind: DomainError['kind'] = 'rule', details?: Record<string, unknown>): DomainError {
              let caught: unknown;
              try {
                run();
              } catch (e) {
                caught = e;
              }
              expect(caught).toBeInstanceOf(DomainError);
              const err = caught as DomainError;
              expect({ code: err.code, kind: err.kind }).toEqual({ code, kind });
              if (details) expect(err.details).toMatchObject(details);
              return err;
            },
          };
        },
      };
    },
  };
}
