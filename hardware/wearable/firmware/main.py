"""Wearable firmware entry point (MicroPython on an RP2040 board, e.g. Waveshare RP2040-Zero).

Copy ``main.py``, ``wearable.py`` and ``wire.py`` to the board (see ../README.md). Pins below
match hardware/wiring.md; change them here for another board. Unverified on hardware: the
logic in wearable.py and wire.py is tested under CPython, this file only binds pins.
"""

import time

import machine
from wearable import Wearable

BUTTON_PIN = 15  # PTT button to GND, internal pull-up
MOTOR_PIN = 14  # vibration motor through an N-MOSFET, PWM
LED_PIN = 16  # WS2812 RGB LED (on-board on the RP2040-Zero)
VBAT_ADC = 29  # ADC3: VSYS / 3 on Pico-style boards
UART_ID = 0  # UART0 on GP0 (TX) / GP1 (RX), used when USE_USB_CDC is False
USE_USB_CDC = True  # a second USB CDC port via micropython-lib's usb-device-cdc


class UartPort:
    def __init__(self):
        self.uart = machine.UART(
            UART_ID, baudrate=115200, tx=machine.Pin(0), rx=machine.Pin(1), timeout=0
        )

    def read(self):
        return self.uart.read() if self.uart.any() else None

    def write(self, data):
        self.uart.write(data)


class CdcPort:
    """A data-only CDC interface next to the REPL (mpremote mip install usb-device-cdc)."""

    def __init__(self):
        import usb.device
        from usb.device.cdc import CDCInterface

        self.cdc = CDCInterface()
        self.cdc.init(timeout=0)
        usb.device.get().init(self.cdc, builtin_driver=True)
        self.buf = bytearray(64)

    def read(self):
        if not self.cdc.is_open():
            return None
        n = self.cdc.readinto(self.buf)
        return bytes(self.buf[:n]) if n else None

    def write(self, data):
        if self.cdc.is_open():
            self.cdc.write(data)


class RgbLed:
    def __init__(self):
        import neopixel

        self.np = neopixel.NeoPixel(machine.Pin(LED_PIN), 1)

    def rgb(self, r, g, b):
        self.np[0] = (r, g, b)
        self.np.write()


class Motor:
    def __init__(self):
        self.pwm = machine.PWM(machine.Pin(MOTOR_PIN))
        self.pwm.freq(200)
        self.pwm.duty_u16(0)

    def value(self, level):
        self.pwm.duty_u16(level * 257)


def make_battery():
    adc = machine.ADC(VBAT_ADC)

    def read():
        mv = adc.read_u16() * 3 * 3300 // 65535
        pct = max(0, min(100, (mv - 3300) * 100 // 900))  # Li-ion 3.3 V .. 4.2 V, linear
        return mv, pct, False, 0

    return read


def run():
    button = machine.Pin(BUTTON_PIN, machine.Pin.IN, machine.Pin.PULL_UP)
    port = CdcPort() if USE_USB_CDC else UartPort()
    serial = machine.unique_id()
    device = Wearable(port, button, RgbLed(), Motor(), battery=make_battery(), serial=serial)
    watchdog = machine.WDT(timeout=2000)  # a hung loop reboots; the host sees a new HELLO
    now = 0
    last = time.ticks_ms()
    while True:
        tick = time.ticks_ms()
        now += time.ticks_diff(tick, last)  # a clock that never wraps, unlike ticks_ms
        last = tick
        device.step(now)
        watchdog.feed()
        time.sleep_ms(5)


run()
