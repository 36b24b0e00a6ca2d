"""The wearable's logic: button, link, LED and haptic motor. No hardware imports.

``main.py`` gives it the board's pins and port; the tests give it fakes and a pty, and run it
under CPython as the "simulated wearable". Everything is driven by ``step(now_ms)`` with a
millisecond clock passed in, so it runs the same on the board and in a test.

Port: ``read()`` returns the bytes waiting (or None/b"") without blocking; ``write(data)``.
Button: ``value()`` is 0 while pressed (to ground, pull-up). LED: ``rgb(r, g, b)``.
Motor: ``value(level)`` with level 0..255.
"""

import wire

FW_VERSION = (1, 0, 0)
CAPS_LED = 0x01
CAPS_HAPTIC = 0x02
CAPS_BATTERY = 0x04

# state -> (pattern, colour, period ms). Pattern 0 off, 1 solid, 2 blink.
LOOKS = {
    wire.STATE_IDLE: (1, (0, 8, 0), 0),
    wire.STATE_LISTENING: (1, (0, 255, 0), 0),
    wire.STATE_THINKING: (2, (0, 0, 255), 300),
    wire.STATE_SPEAKING: (1, (0, 0, 255), 0),
    wire.STATE_ERROR: (2, (255, 0, 0), 150),
    wire.STATE_OFFLINE: (2, (255, 60, 0), 1200),
}

# Haptic pulses (on ms, off ms, count): press confirmed, "not connected", error.
BUZZ_PRESS = (40, 0, 1)
BUZZ_OFFLINE = (60, 80, 2)
BUZZ_ERROR = (250, 0, 1)


class Wearable:
    """One PTT button, one RGB LED, one vibration motor, one serial link to the daemon."""

    def __init__(
        self,
        port,
        button,
        led,
        motor,
        battery=None,
        serial=b"",
        build=0,
        hw_rev=1,
        bounce_ms=20,
        hold_ms=600,
        hello_ms=500,
        battery_ms=30000,
    ):
        self.port = port
        self.button = button
        self.led = led
        self.motor = motor
        self.battery = battery
        self.serial = serial
        self.build = build
        self.hw_rev = hw_rev
        self.bounce_ms = bounce_ms
        self.hold_ms = hold_ms
        self.hello_ms = hello_ms
        self.battery_ms = battery_ms
        self.channel = wire.Channel()
        self.linked = False
        self.state = wire.STATE_OFFLINE
        self.pressed = False
        self.press_count = 0
        self.down_at = 0
        self.hold_sent = False
        self.locked_until = 0
        self.last_hello = None
        self.last_battery = None
        self.led_override = None  # (pattern, rgb, period, until)
        self.buzz = None  # (start, on, off, count, level)
        self.shown = None
        self.motor_level = -1

    # -- main loop ------------------------------------------------------------------------------

    def step(self, now):
        """Do everything that is due at ``now`` (ms, monotonic)."""
        data = self.port.read()
        if data:
            for mtype, payload in self.channel.receive(data, now):
                self.on_message(mtype, payload, now)
        self.scan_button(now)
        status = self.channel.poll(now)
        if status is not None and self.linked:
            self.unlink()
        if not self.linked:
            if self.last_hello is None or now - self.last_hello >= self.hello_ms:
                self.send_hello(now)
        else:
            if self.channel.heartbeat_due(now):
                self.channel.send(
                    wire.HEARTBEAT, wire.pack_heartbeat(now, self.state), now, reliable=False
                )
            if self.battery is not None and (
                self.last_battery is None or now - self.last_battery >= self.battery_ms
            ):
                self.send_battery(now)
        self.render(now)
        out = self.channel.take()
        if out:
            self.port.write(out)

    # -- link -----------------------------------------------------------------------------------

    def send_hello(self, now):
        self.last_hello = now
        caps = CAPS_LED | CAPS_HAPTIC | (CAPS_BATTERY if self.battery is not None else 0)
        payload = wire.pack_hello(FW_VERSION, self.build, self.hw_rev, self.serial, caps)
        self.channel.send(wire.HELLO, payload, now, reliable=False)

    def send_battery(self, now):
        self.last_battery = now
        mv, pct, charging, temp_dc = self.battery()
        payload = wire.pack_battery(mv, pct, charging, temp_dc)
        self.channel.send(wire.BATTERY, payload, now, reliable=False)

    def unlink(self):
        self.linked = False
        self.state = wire.STATE_OFFLINE
        self.channel.reset()
        self.last_hello = None

    def on_message(self, mtype, payload, now):
        try:
            if mtype == wire.HELLO_REQ:
                self.unlink()
                self.send_hello(now)
            elif mtype == wire.HELLO_ACK:
                proto, heartbeat_ms, _unix_ms = wire.unpack_hello_ack(payload)
                if proto != wire.PROTO:
                    self.channel.send(wire.NAK, bytes([wire.NAK_VERSION]), now, reliable=False)
                    return
                self.channel.reset()
                self.channel.last_rx_ms = now
                self.channel.heartbeat_ms = heartbeat_ms
                self.linked = True
                self.state = wire.STATE_IDLE
                self.last_battery = None
                if self.pressed:  # held across a reconnection: the host should listen
                    self.send_button(wire.BUTTON_DOWN, now)
            elif not self.linked:
                return  # a previous session's frame: ignore until the handshake is done
            elif mtype == wire.SET_STATE:
                self.set_state(payload[0], now)
            elif mtype == wire.LED:
                pattern, rgb, period, duration = wire.unpack_led(payload)
                until = now + duration if duration else None
                self.led_override = (pattern, rgb, period, until)
            elif mtype == wire.HAPTIC:
                on_ms, off_ms, repeat, intensity = wire.unpack_haptic(payload)
                self.start_buzz(now, (on_ms, off_ms, repeat), intensity)
            elif mtype in (wire.HEARTBEAT, wire.NAK):
                pass
            else:
                self.channel.send(wire.NAK, bytes([wire.NAK_TYPE]), now, reliable=False)
        except (wire.FrameError, IndexError):
            self.channel.send(wire.NAK, bytes([wire.NAK_LENGTH]), now, reliable=False)

    def set_state(self, state, now):
        if state not in LOOKS:
            return
        if state == wire.STATE_ERROR and self.state != wire.STATE_ERROR:
            self.start_buzz(now, BUZZ_ERROR)
        self.state = state
        self.led_override = None

    # -- button ---------------------------------------------------------------------------------

    def scan_button(self, now):
        pressed = self.button.value() == 0
        if pressed != self.pressed and now >= self.locked_until:
            # Leading-edge debounce: act on the first edge, ignore bounce for bounce_ms.
            self.pressed = pressed
            self.locked_until = now + self.bounce_ms
            if pressed:
                self.on_press(now)
            else:
                self.on_release(now)
        if self.pressed and not self.hold_sent and now - self.down_at >= self.hold_ms:
            self.hold_sent = True
            self.send_button(wire.BUTTON_HOLD, now)

    def on_press(self, now):
        self.press_count = (self.press_count + 1) & 0xFFFF
        self.down_at = now
        self.hold_sent = False
        if not self.linked:
            self.start_buzz(now, BUZZ_OFFLINE)  # tell the technician nobody is listening
            return
        self.start_buzz(now, BUZZ_PRESS)
        self.send_button(wire.BUTTON_DOWN, now)

    def on_release(self, now):
        if self.linked:
            self.send_button(wire.BUTTON_UP, now)

    def send_button(self, action, now):
        if self.linked:
            payload = wire.pack_button(0, action, now, self.press_count)
            self.channel.send(wire.BUTTON, payload, now)

    # -- outputs --------------------------------------------------------------------------------

    def start_buzz(self, now, pulses, level=255):
        self.buzz = (now, pulses[0], pulses[1], pulses[2], level)

    def render(self, now):
        look = LOOKS[self.state]
        override = self.led_override
        if override is not None:
            if override[3] is not None and now >= override[3]:
                self.led_override = None
            else:
                look = override[:3]
        pattern, rgb, period = look
        on = pattern == 1 or (pattern == 2 and period > 0 and (now // (period // 2 or 1)) % 2 == 0)
        shown = rgb if on else (0, 0, 0)
        if shown != self.shown:
            self.shown = shown
            self.led.rgb(shown[0], shown[1], shown[2])
        level = 0
        if self.buzz is not None:
            start, on_ms, off_ms, count, intensity = self.buzz
            elapsed = now - start
            cycle = on_ms + off_ms
            if elapsed >= cycle * count - off_ms:
                self.buzz = None
            elif elapsed % cycle < on_ms:
                level = intensity
        if level != self.motor_level:
            self.motor_level = level
            self.motor.value(level)
