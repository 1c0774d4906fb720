#!/usr/bin/env python3
"""A downstream consumer of Tessera topics in Python: Confluent's client, Avro decoded through the schema registry.

Reads each topic from the beginning, committed records only, and prints one JSON line per record:
{"topic", "partition", "offset", "key", "headers", "value"}; it stops once every partition is at its end.
docs/consumers.md starts from this file; test/clients/python-consumer.test.ts runs it against the real pipeline.

  read_topics.py --brokers 127.0.0.1:9092 --registry http://127.0.0.1:8081/apis/ccompat/v7 \
                 --topic tessera.profiles --topic tessera.identity.merges
"""
import argparse
import datetime
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def plain(value):
    """Avro logical types as JSON: timestamp-millis arrives as an aware datetime, printed as epoch milliseconds."""
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--brokers", required=True)
    p.add_argument("--registry", required=True, help="Confluent-compatible registry URL (Apicurio: .../apis/ccompat/v7)")
    p.add_argument("--topic", action="append", required=True)
    p.add_argument("--group", default=f"python-reader-{uuid.uuid4().hex[:8]}")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds before giving up")
    args = p.parse_args()

    # No reader schema: each value is decoded with the writer's schema, looked up by the id in its first bytes.
    avro = AvroDeserializer(SchemaRegistryClient({"url": args.registry}))
    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        # Tessera's graph owner publishes in Kafka transactions: read only what it committed.
        "isolation.level": "read_committed",
        "enable.partition.eof": True,
    })
    assigned: set = set()
    at_end: set = set()

    def on_assign(c, partitions):
        assigned.update((tp.topic, tp.partition) for tp in partitions)

    consumer.subscribe(args.topic, on_assign=on_assign)
    deadline = time.monotonic() + args.timeout
    try:
        while not assigned or at_end != assigned:
            if time.monotonic() > deadline:
                print(f"timeout: {len(at_end)}/{len(assigned)} partitions at their end", file=sys.stderr)
                return 1
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            where = (msg.topic(), msg.partition())
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(where)
                    continue
                raise KafkaException(msg.error())
            at_end.discard(where)
            ctx = SerializationContext(msg.topic(), MessageField.VALUE, msg.headers())
            value = avro(msg.value(), ctx) if msg.value() is not None else None  # None: a tombstone
            print(json.dumps({
                "topic": msg.topic(),
                "partition": msg.partition(),
                "offset": msg.offset(),
                "key": msg.key().decode() if msg.key() is not None else None,
                "headers": {k: v.decode() for k, v in (msg.headers() or [])},
                "value": plain(value),
            }), flush=True)
    finally:
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
