import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordReader } from 'tfrecord';
import { afterAll, describe, expect, it } from 'vitest';
import { readEvents } from './read-events.test-support';
import { maskedCrc32c, scalarEvent, TfEventsFile, tfRecord } from './tf-events-file';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('TensorBoard event files', () => {
  it('masks the CRC32C as TensorFlow does (check value of "123456789": 0xE3069283)', () => {
    const crc = 0xe3069283;
    const masked = (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
    expect(maskedCrc32c(new TextEncoder().encode('123456789'))).toBe(masked);
  });

  it('encodes a scalar Event byte for byte as the proto wire format says', () => {
    // wall_time (1, double) 1.5; step (2, varint) 3; summary (5) { value (1) { tag (1) "a"; simple_value (2, float) 0.5 } }
    const expected = [
      0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x10, 0x03, 0x2a, 0x0a, 0x0a, 0x08, 0x0a, 0x01, 0x61, 0x15, 0, 0, 0,
      0x3f,
    ];
    expect([...scalarEvent(1.5, 3, { a: 0.5 })]).toEqual(expected);
    const record = tfRecord(Uint8Array.from(expected));
    expect(record.readBigUInt64LE(0)).toBe(BigInt(expected.length));
    expect(record.length).toBe(8 + 4 + expected.length + 4);
  });

  it('writes files an independent TFRecord reader (tfrecord, fast-crc32c) reads with valid CRCs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-tfevents-'));
    dirs.push(dir);
    const file = TfEventsFile.in(dir, 1_700_000_000_000);
    await file.scalars(1, 1_700_000_000_500, { 'loss/train': 2.25, lr: 0.001 });
    await file.scalars(2, 1_700_000_001_000, { 'loss/train': 2, 'objective/kl': 0 });
    await file.restart(2, 1_700_000_002_000);
    const [name] = await readdir(dir);
    expect(name).toMatch(/^events\.out\.tfevents\.1700000000\./);
    const reader = await RecordReader.create(join(dir, name!));
    let records = 0;
    while (await reader.readRecord()) records++;
    expect(records).toBe(4);
    const events = await readEvents(join(dir, name!));
    expect(events[0]).toMatchObject({ fileVersion: 'brain.Event:2', wallTime: 1_700_000_000.5 }); // at the first record
    expect(events[1]).toMatchObject({ step: 1, wallTime: 1_700_000_000.5 });
    expect(events[1]!.scalars).toEqual({ 'loss/train': 2.25, lr: Math.fround(0.001) });
    expect(events[2]!.scalars).toEqual({ 'loss/train': 2, 'objective/kl': 0 }); // a zero is written, not dropped
    expect(events[3]).toMatchObject({ step: 2, sessionStatus: 1 });
  });
});
