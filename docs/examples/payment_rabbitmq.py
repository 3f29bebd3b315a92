"""The payment service of order-fulfilment (commanded style) in Python, on RabbitMQ with pika.

Written from docs/services.md alone, to show that contract is enough to replace one of our
services. Run every other service as ours and this one in payment's place:

    python3 -m venv venv && venv/bin/pip install pika
    eval "$(scripts/rabbitmq-test-server.sh start)"
    for name in order account inventory shipment notification; do
      order-fulfilment service "$name" --bus "$CHOREO_TEST_AMQP_URL" --day 200ms &
    done
    venv/bin/python docs/examples/payment_rabbitmq.py "$CHOREO_TEST_AMQP_URL" 0.2 &
    order-fulfilment run --bus "$CHOREO_TEST_AMQP_URL" --external-services --day 200ms \
        --orders 300 --seed 11 --faults transient=0.3,poison=0.3,duplicate=0.3 --truth truth.json

Arguments: the AMQP URL, and the length of a business day in seconds (the run's --day).
It exports no spans (see "Spans" in docs/services.md), keeps its state in memory as our
services do on a broker, and handles one delivery at a time.
"""

import json
import sys
import time
import uuid

import pika

SYSTEM = "choreo"  # --system: the prefix of the exchanges and queues
GROUP = "payment"  # the consumer group is the service's name
EVENTS = f"{SYSTEM}.events"
DEAD_LETTERS = f"{SYSTEM}.dead-letters"
MAX_ATTEMPTS = 5  # our buses' default
CARD_DEADLINE_DAYS = 7
CONSUMES = ["RetrievePayment", "RefundPayment", "CreditCardUpdated"]  # commanded style

url = sys.argv[1]
day = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
connection = pika.BlockingConnection(pika.URLParameters(url))
channel = connection.channel()
channel.confirm_delivery()  # basic_publish returns once the broker confirmed, raises if not
channel.basic_qos(prefetch_count=8)

handled_ids = set()  # idempotency: the ids of the messages handled
awaiting_card = set()  # orders whose declined card payment waits to see updated


class InjectedFault(Exception):
    """A fault the order's body asks for."""


def publish(message_type, body, correlation_id, causation_id, faults):
    headers = {"causationid": causation_id}
    duplicate = faults.get("duplicate")
    if duplicate and duplicate["type"] == message_type:
        headers["x-choreo-duplicate-to"] = duplicate["service"]
    properties = pika.BasicProperties(
        message_id=uuid.uuid4().hex,
        type=message_type,
        app_id=GROUP,
        correlation_id=correlation_id,
        timestamp=int(time.time()),
        delivery_mode=2,
        headers=headers,
    )
    channel.basic_publish(EVENTS, message_type, body, properties)


def card_deadline(order_id, body, correlation_id, cause, faults):
    if order_id in awaiting_card:
        awaiting_card.discard(order_id)
        publish("PaymentFailed", body, correlation_id, cause, faults)


def handle(topic, properties, body, attempt):
    order = json.loads(body)
    if "order_id" not in order or "amount_cents" not in order:
        raise ValueError("the body lacks order_id or amount_cents")
    faults = order.get("faults") or {}
    here = {"service": GROUP, "type": topic}
    if faults.get("poison") == here:
        raise InjectedFault(f"{topic}@{GROUP} fails on every attempt")
    if faults.get("transient") == here and attempt <= faults.get("transient_failures", 1):
        raise InjectedFault(f"{topic}@{GROUP} fails on attempt {attempt}")
    order_id, correlation_id, me = order["order_id"], properties.correlation_id, properties.message_id
    if topic == "RetrievePayment":
        if order.get("vip"):
            publish("PaymentInvoiced", body, correlation_id, me, faults)
        elif order.get("card_declined"):
            awaiting_card.add(order_id)
            connection.call_later(
                CARD_DEADLINE_DAYS * day, lambda: card_deadline(order_id, body, correlation_id, me, faults)
            )
            publish("PaymentDeclined", body, correlation_id, me, faults)
        else:
            publish("PaymentReceived", body, correlation_id, me, faults)
    elif topic == "RefundPayment":
        publish("PaymentRefunded", body, correlation_id, me, faults)
    elif topic == "CreditCardUpdated" and order_id in awaiting_card:
        awaiting_card.discard(order_id)
        publish("PaymentReceived", body, correlation_id, me, faults)


def on_delivery(channel, method, properties, body, topic, queue):
    if properties.message_id in handled_ids:  # a duplicate: acknowledge, do nothing
        channel.basic_ack(method.delivery_tag)
        return
    headers = properties.headers or {}
    attempt = int(headers.get("x-choreo-attempt", 1))
    try:
        handle(topic, properties, body, attempt)
    except Exception as error:
        headers = {
            name: value
            for name, value in headers.items()
            if name != "x-death" and not name.startswith(("x-first-death-", "x-last-death-"))
        }
        headers["x-choreo-topic"] = topic
        if attempt >= MAX_ATTEMPTS:  # the last attempt: dead-letter it, with the reason
            headers.update(
                {
                    "x-choreo-attempt": attempt,
                    "x-choreo-group": GROUP,
                    "x-choreo-error-type": type(error).__name__,
                    "x-choreo-error": str(error)[:4096],
                }
            )
            properties.headers = headers
            channel.basic_publish(DEAD_LETTERS, topic, body, properties)
        else:  # retry after the backoff, through the retry queue of that delay, to our queue only
            headers["x-choreo-attempt"] = attempt + 1
            properties.headers = headers
            delay = min(100 * 2 ** (attempt - 1), 10_000)
            channel.basic_publish(f"{SYSTEM}.retry.{delay}ms", queue, body, properties)
        channel.basic_ack(method.delivery_tag)
        return
    handled_ids.add(properties.message_id)
    channel.basic_ack(method.delivery_tag)


channel.exchange_declare(EVENTS, exchange_type="topic", durable=True)
for topic in CONSUMES:
    queue = f"{SYSTEM}/{GROUP}/{topic}"
    channel.queue_declare(queue, durable=True)
    channel.queue_bind(queue, EVENTS, routing_key=topic)
    channel.basic_consume(
        queue, lambda channel, method, properties, body, t=topic, q=queue: on_delivery(channel, method, properties, body, t, q)
    )
print(f"ready {GROUP}", flush=True)
try:
    channel.start_consuming()
except KeyboardInterrupt:
    pass
