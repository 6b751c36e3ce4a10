import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import CRC32C from 'crc-32/crc32c.js';
import protobuf from 'protobufjs';

/**
 * The parts of TensorFlow's `Event` and `Summary` protos (tensorflow/core/util/event.proto,
 * tensorflow/core/framework/summary.proto) that scalar logging writes: field numbers as in TensorFlow.
 */
const PROTOS = protobuf.Root.fromJSON({
  nested: {
    tensorflow: {
      nested: {
        Event: {
          fields: {
            wallTime: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            fileVersion: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
            sessionLog: { type: 'SessionLog', id: 7 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              // In a oneof, as in TensorFlow: a value of 0 is still written (proto3 drops plain zero fields).
              oneofs: { value: { oneof: ['simpleValue'] } },
              fields: { tag: { type: 'string', id: 1 }, simpleValue: { type: 'float', id: 2 } },
            },
          },
        },
        SessionLog: {
          fields: { status: { type: 'int32', id: 1 } },
        },
      },
    },
  },
});
const EVENT = PROTOS.lookupType('tensorflow.Event');
/** `SessionLog.START`: TensorBoard drops the points of this run at or after the event's step (a resumed stage). */
const SESSION_START = 1;

/** TensorFlow's masked CRC32C of a TFRecord header or payload. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = CRC32C.buf(bytes) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** One TFRecord: length (uint64 LE), its masked CRC32C, the payload, the payload's masked CRC32C. */
export function tfRecord(payload: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header.writeBigUInt64LE(BigInt(payload.length));
  const out = Buffer.alloc(8 + 4 + payload.length + 4);
  header.copy(out, 0);
  out.writeUInt32LE(maskedCrc32c(header), 8);
  out.set(payload, 12);
  out.writeUInt32LE(maskedCrc32c(payload), 12 + payload.length);
  return out;
}

/** The encoded `Event` of one step's scalars. */
export function scalarEvent(wallTime: number, step: number, scalars: Record<string, number>): Uint8Array {
  const value = Object.entries(scalars).map(([tag, simpleValue]) => ({ tag, simpleValue }));
  return EVENT.encode(EVENT.create({ wallTime, step, summary: { value } })).finish();
}

/**
 * An append-only TensorBoard event file (`events.out.tfevents.<seconds>.<host>.<pid>`) in `dir`: the version record
 * first, then one record per {@link TfEventsFile.scalars} call. Every record is appended whole (a kill can at worst
 * cut the last one, which TensorBoard skips).
 */
export class TfEventsFile {
  private ready: Promise<void> | undefined;
  private constructor(readonly path: string) {}

  /** A new event file in `dir` (created if needed), named like TensorFlow's; nothing is written before the first record. */
  static in(dir: string, now = Date.now()): TfEventsFile {
    const name = `events.out.tfevents.${Math.floor(now / 1000)}.${hostname()}.${process.pid}`;
    return new TfEventsFile(join(dir, name));
  }

  /** Appends the scalars of one step (wall time in ms since the epoch). */
  async scalars(step: number, timeMs: number, scalars: Record<string, number>): Promise<void> {
    await this.open(timeMs);
    await appendFile(this.path, tfRecord(scalarEvent(timeMs / 1000, step, scalars)));
  }

  /** Marks a restart at `step`: TensorBoard discards this run's points from `step` on (they are written again). */
  async restart(step: number, timeMs: number): Promise<void> {
    await this.open(timeMs);
    const event = EVENT.encode(
      EVENT.create({ wallTime: timeMs / 1000, step, sessionLog: { status: SESSION_START } }),
    );
    await appendFile(this.path, tfRecord(event.finish()));
  }

  private open(timeMs: number): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(join(this.path, '..'), { recursive: true });
      const version = EVENT.encode(
        EVENT.create({ wallTime: timeMs / 1000, fileVersion: 'brain.Event:2' }),
      ).finish();
      await writeFile(this.path, tfRecord(version));
    })();
    return this.ready;
  }
}
