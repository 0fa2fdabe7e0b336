#!/usr/bin/env python3
"""An MLLP receiver built on hl7apy's MLLPServer (hl7apy.mllp, PyPI hl7apy==1.3.5), the independent
peer that `fhirbridge send` is tested against (Tests/EngineTests/SendCommandTests.swift).

Usage: hl7apy_mllp_server.py PORT

It answers by message type (MSH-9 as written), with original-mode ACKs:
  ADT^A01^ADT_A01   AA
  ORU^R01^ORU_R01   AE, with ERR-2 PID^1^7 (location), ERR-3 102 (data type error), ERR-4 E
  SIU^S12^SIU_S12   the first time: the connection is closed without an answer; then AA
  anything else     hl7apy's unsupported-type path: AR, ERR-2 MSH^1^9, ERR-3 200
hl7apy's server reads one message per connection and then closes it (fhirbridge then sends the
next message on a new connection, which is not a retry). It prints `listening PORT`
once it accepts connections and stops by itself after 120 seconds (the tests stop it sooner).
"""

import signal
import sys
import threading
from datetime import datetime, timezone

from hl7apy.mllp import AbstractErrorHandler, AbstractHandler, MLLPServer, UnsupportedMessageType

DROPPED = set()


def header_fields(message):
    first = message.replace("\n", "\r").split("\r", 1)[0]
    return first.split(first[3]) if len(first) > 3 else []


def ack(message, code, errors=()):
    fields = header_fields(message)
    control = fields[9] if len(fields) > 9 else ""
    event = fields[8].split("^")[1] if len(fields) > 8 and "^" in fields[8] else ""
    now = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S+0000")
    segments = [
        f"MSH|^~\\&|PEER|PEER_FAC|SENDER|SENDER_FAC|{now}||ACK^{event}^ACK|PEER-{control}|P|2.5.1",
        f"MSA|{code}|{control}",
    ]
    for location, error_code, text in errors:
        segments.append(f"ERR||{location}|{error_code}^{text}^HL70357|E")
    return "\x0b" + "\r".join(segments) + "\r\x1c\r"


class Accept(AbstractHandler):
    def reply(self):
        return ack(self.incoming_message, "AA")


class DataError(AbstractHandler):
    def reply(self):
        return ack(self.incoming_message, "AE", [("PID^1^7", "102", "Data type error")])


class DropOnce(AbstractHandler):
    def reply(self):
        control = header_fields(self.incoming_message)[9]
        if control not in DROPPED:
            DROPPED.add(control)
            raise ConnectionAbortedError("dropping the first attempt")
        return ack(self.incoming_message, "AA")


class Errors(AbstractErrorHandler):
    def reply(self):
        if isinstance(self.exc, UnsupportedMessageType):
            return ack(self.incoming_message, "AR", [("MSH^1^9", "200", "Unsupported message type")])
        # anything else (the drop above): no answer, hl7apy closes the connection
        raise self.exc


def main():
    # a test runner may start us with SIGTERM blocked (a signal mask inherited from the thread that
    # spawned us): unblock it, so that the test stops us at once rather than after 120 seconds
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    port = int(sys.argv[1])
    handlers = {
        "ADT^A01^ADT_A01": (Accept,),
        "ORU^R01^ORU_R01": (DataError,),
        "SIU^S12^SIU_S12": (DropOnce,),
        "ERR": (Errors,),
    }
    server = MLLPServer("127.0.0.1", port, handlers, timeout=10)
    stop = threading.Timer(120, server.shutdown)
    stop.daemon = True
    stop.start()
    print(f"listening {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
