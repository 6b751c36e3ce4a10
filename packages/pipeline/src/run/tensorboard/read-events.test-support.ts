import protobuf from 'protobufjs';
import { RecordReader } from 'tfrecord';

/**
 * Test-only reader of TensorBoard event files, independent of the writer: records framed and CRC-checked by the
 * `tfrecord` package (fast-crc32c), payloads decoded with a schema written from TensorFlow's event.proto /
 * summary.proto here (not the writer's).
 */
const schema = protobuf.parse(`
syntax = "proto3";
package tensorflow;
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what { string file_version = 3; bytes graph_def = 4; Summary summary = 5; SessionLog session_log = 7; }
}
message Summary {
  message Value { string node_name = 7; string tag = 1; oneof value { float simple_value = 2; bytes image = 4; } }
  repeated Value value = 1;
}
message SessionLog { enum SessionStatus { STATUS_UNSPECIFIED = 0; START = 1; STOP = 2; CHECKPOINT = 3; } SessionStatus status = 1; }
`).root;
const Event = schema.lookupType('tensorflow.Event');

/** One decoded event. */
export interface ReadEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars?: Record<string, number>;
  sessionStatus?: number;
}

/** Every event of a file, in order. */
export async function readEvents(path: string): Promise<ReadEvent[]> {
  const reader = await RecordReader.create(path);
  const out: ReadEvent[] = [];
  for (let record = await reader.readRecord(); record; record = await reader.readRecord()) {
    const e = Event.toObject(Event.decode(record), { longs: Number, enums: Number }) as {
      wallTime?: number;
      step?: number;
      fileVersion?: string;
      summary?: { value?: { tag: string; simpleValue: number }[] };
      sessionLog?: { status?: number };
    };
    out.push({
      wallTime: e.wallTime ?? 0,
      step: e.step ?? 0,
      ...(e.fileVersion ? { fileVersion: e.fileVersion } : {}),
      ...(e.summary
        ? { scalars: Object.fromEntries((e.summary.value ?? []).map((v) => [v.tag, v.simpleValue])) }
        : {}),
      ...(e.sessionLog ? { sessionStatus: e.sessionLog.status ?? 0 } : {}),
    });
  }
  return out;
}
