// Prometheus metrics of the warehouse writer's sink side; the stage runner counts records, dead letters, commits and
// lag under the same tessera_writer_ prefix (kit/stage/metrics.ts).
import { Counter, Gauge, type Registry } from 'prom-client';

export function writerMetrics(registry: Registry) {
  const registers = [registry];
  return {
    rowsWritten: new Counter({ name: 'tessera_writer_rows_written_total', help: 'Rows inserted into ClickHouse, per table', labelNames: ['table'], registers }),
    rowsSkipped: new Counter({ name: 'tessera_writer_rows_skipped_total', help: 'Rows not written again because the table already holds their source offset', labelNames: ['table'], registers }),
    skippedTouchpoints: new Counter({ name: 'tessera_writer_touchpoints_skipped_total', help: 'Touchpoints not written because they cannot be decoded or are invalid (the extract stage dead-letters them), per code', labelNames: ['code'], registers }),
    insertRetries: new Counter({ name: 'tessera_writer_insert_retries_total', help: 'Inserts that failed and were retried, per table', labelNames: ['table'], registers }),
    bufferedRows: new Gauge({ name: 'tessera_writer_buffered_rows', help: 'Rows held in memory: waiting plus being written', registers }),
    paused: new Gauge({ name: 'tessera_writer_paused', help: '1 while the input is held because an insert keeps failing (ClickHouse down or refusing)', registers }),
  };
}

export type WriterMetrics = ReturnType<typeof writerMetrics>;
