// Prometheus metrics of the warehouse writer.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function writerMetrics(registry: Registry) {
  const registers = [registry];
  return {
    rowsWritten: new Counter({ name: 'tessera_writer_rows_written_total', help: 'Rows inserted into ClickHouse, per table', labelNames: ['table'], registers }),
    rowsSkipped: new Counter({ name: 'tessera_writer_rows_skipped_total', help: 'Rows not written again because the table already holds their source offset', labelNames: ['table'], registers }),
    records: new Counter({ name: 'tessera_writer_records_total', help: 'Kafka records consumed, per topic', labelNames: ['topic'], registers }),
    skippedTouchpoints: new Counter({ name: 'tessera_writer_touchpoints_skipped_total', help: 'Touchpoints not written because they cannot be decoded or are invalid (the extract stage dead-letters them), per code', labelNames: ['code'], registers }),
    invalid: new Counter({ name: 'tessera_writer_invalid_records_total', help: 'Records that could not be decoded or mapped (sent to the DLQ), per topic and code', labelNames: ['topic', 'code'], registers }),
    flushes: new Counter({ name: 'tessera_writer_flushes_total', help: 'Batches written and committed', labelNames: ['trigger'], registers }),
    flushSeconds: new Histogram({ name: 'tessera_writer_flush_seconds', help: 'Time to write one batch to every table, retries included', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers }),
    insertRetries: new Counter({ name: 'tessera_writer_insert_retries_total', help: 'Inserts that failed and were retried, per table', labelNames: ['table'], registers }),
    commitFailures: new Counter({ name: 'tessera_writer_commit_failures_total', help: 'Offset commits that failed after a successful write (the rows are skipped when read again)', registers }),
    bufferedRows: new Gauge({ name: 'tessera_writer_buffered_rows', help: 'Rows held in memory: waiting plus being written', registers }),
    paused: new Gauge({ name: 'tessera_writer_paused', help: '1 while fetching is paused because the buffer is full', registers }),
    lag: new Gauge({ name: 'tessera_writer_lag', help: 'Records behind the partition end, at the last batch fetched', labelNames: ['topic', 'partition'], registers }),
  };
}

export type WriterMetrics = ReturnType<typeof writerMetrics>;
