"""The payment service of order-fulfilment (commanded style) in Python, on NATS JetStream with nats-py.

Written from docs/services.md alone, like payment_rabbitmq.py beside it. Run every other
service as ours (they declare the stream `choreo`) and this one in payment's place:

    python3 -m venv venv && venv/bin/pip install nats-py
    eval "$(scripts/nats-test-server.sh start)"
    for name in order account inventory shipment notification; do
      order-fulfilment service "$name" --bus "$CHOREO_TEST_NATS_URL" --day 200ms &
    done
    venv/bin/python docs/examples/payment_nats.py "$CHOREO_TEST_NATS_URL" 0.2 &
    order-fulfilment run --bus "$CHOREO_TEST_NATS_URL" --external-services --day 200ms \
        --orders 300 --seed 11 --faults transient=0.3,poison=0.3,duplicate=0.3 --truth truth.json

Arguments: the NATS URL, and the length of a business day in seconds (the run's --day).
It exports no spans, keeps its state in memory, and takes JetStream's delivery count as the
attempt number (our bus counts only failed attempts; the two differ after a consumer crash).
"""

import asyncio
import json
import sys
import uuid

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

SYSTEM = "choreo"  # --system: the stream and the subjects' first token
GROUP = "payment"
MAX_ATTEMPTS = 5
CARD_DEADLINE_DAYS = 7
CONSUMES = ["RetrievePayment", "RefundPayment", "CreditCardUpdated"]  # commanded style


def durable_name(group, topic):
    """The durable consumer of a group on a topic, as our NATS bus names it."""
    digest = 2166136261  # FNV-1a, 32 bits, over group, a NUL byte, topic
    for byte in group.encode() + b"\0" + topic.encode():
        digest = ((digest ^ byte) * 16777619) & 0xFFFFFFFF

    def safe(text):
        return "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "_" for c in text[:40])

    return f"{safe(group)}__{safe(topic)}_{digest:08x}"


class InjectedFault(Exception):
    """A fault the order's body asks for."""


async def main(url, day):
    connection = await nats.connect(url)
    js = connection.jetstream()
    handled_ids = set()
    awaiting_card = set()

    async def publish(message_type, body, correlation_id, causation_id, faults):
        message_id = uuid.uuid4().hex
        headers = {
            "id": message_id,
            "type": message_type,
            "source": GROUP,
            "correlationid": correlation_id,
            "causationid": causation_id,
            "Nats-Msg-Id": f"{message_type}/{message_id}",
        }
        duplicate = faults.get("duplicate")
        if duplicate and duplicate["type"] == message_type:
            headers["x-choreo-duplicate-to"] = duplicate["service"]
        await js.publish(f"{SYSTEM}.{message_type}", body, headers=headers)  # waits for the PubAck

    async def card_deadline(order_id, body, correlation_id, cause, faults):
        await asyncio.sleep(CARD_DEADLINE_DAYS * day)
        if order_id in awaiting_card:
            awaiting_card.discard(order_id)
            await publish("PaymentFailed", body, correlation_id, cause, faults)

    async def handle(topic, message, attempt):
        order = json.loads(message.data)
        if "order_id" not in order or "amount_cents" not in order:
            raise ValueError("the body lacks order_id or amount_cents")
        faults = order.get("faults") or {}
        here = {"service": GROUP, "type": topic}
        if faults.get("poison") == here:
            raise InjectedFault(f"{topic}@{GROUP} fails on every attempt")
        if faults.get("transient") == here and attempt <= faults.get("transient_failures", 1):
            raise InjectedFault(f"{topic}@{GROUP} fails on attempt {attempt}")
        body, order_id = message.data, order["order_id"]
        correlation_id, me = message.headers["correlationid"], message.headers["id"]
        if topic == "RetrievePayment":
            if order.get("vip"):
                await publish("PaymentInvoiced", body, correlation_id, me, faults)
            elif order.get("card_declined"):
                awaiting_card.add(order_id)
                asyncio.create_task(card_deadline(order_id, body, correlation_id, me, faults))
                await publish("PaymentDeclined", body, correlation_id, me, faults)
            else:
                await publish("PaymentReceived", body, correlation_id, me, faults)
        elif topic == "RefundPayment":
            await publish("PaymentRefunded", body, correlation_id, me, faults)
        elif topic == "CreditCardUpdated" and order_id in awaiting_card:
            awaiting_card.discard(order_id)
            await publish("PaymentReceived", body, correlation_id, me, faults)

    async def settle_failure(topic, durable, message, attempt, error):
        if attempt < MAX_ATTEMPTS:  # retry after the backoff
            await message.nak(delay=min(0.1 * 2 ** (attempt - 1), 10))
            return
        headers = {name: value for name, value in message.headers.items() if not name.startswith("Nats-")}
        headers.update(
            {
                "choreo-dead-letter-topic": topic,
                "choreo-dead-letter-group": GROUP,
                "choreo-dead-letter-attempts": str(attempt),
                "choreo-dead-letter-error-type": type(error).__name__,
                "choreo-dead-letter-error": str(error).replace("\n", " "),
                "Nats-Msg-Id": f"dead/{durable}.{message.metadata.sequence.stream}",
            }
        )
        await js.publish(f"{SYSTEM}_dead.{durable}", message.data, headers=headers)
        await message.term()

    async def consume(topic):
        durable = durable_name(GROUP, topic)
        config = ConsumerConfig(
            durable_name=durable,
            filter_subject=f"{SYSTEM}.{topic}",
            deliver_policy=DeliverPolicy.NEW,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=30,
            max_deliver=10,
        )
        await js.add_consumer(SYSTEM, config)
        subscription = await js.pull_subscribe_bind(durable=durable, stream=SYSTEM)
        subscribed.release()
        while True:
            try:
                messages = await subscription.fetch(8, timeout=1)
            except nats.errors.TimeoutError:
                continue
            for message in messages:
                message_id = message.headers.get("id")
                if message_id in handled_ids:  # a duplicate: acknowledge, do nothing
                    await message.ack()
                    continue
                attempt = message.metadata.num_delivered
                try:
                    await handle(topic, message, attempt)
                except Exception as error:
                    await settle_failure(topic, durable, message, attempt, error)
                    continue
                handled_ids.add(message_id)
                await message.ack()

    subscribed = asyncio.Semaphore(0)
    consumers = [asyncio.create_task(consume(topic)) for topic in CONSUMES]
    for _ in CONSUMES:
        await subscribed.acquire()
    print(f"ready {GROUP}", flush=True)
    await asyncio.gather(*consumers)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0))
