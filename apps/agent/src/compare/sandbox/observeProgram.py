# Quantdeck's observer, loaded into the sandboxed Python before the program (as
# sitecustomize, from PYTHONPATH=/observe). It records what the program draws, at most
# OBSERVE_HZ times a second, as one JSON line per snapshot in /out/observe.jsonl:
#   {"k": "tkinter" | "pygame", "t": monotonic seconds, "w": width, "h": height,
#    "items": [[type, [coords...], fill, text], ...], "keys": [[t, key name], ...]}
# tkinter: every canvas item after each update, with its own coordinates (text items add
# their angle as a fifth field). pygame: what was drawn on the display surface since the
# last flip (fills, pygame.draw calls, blits; a blitted text is "text" with what
# Font.render was given), each as its bounding box [x1, y1, x2, y2]; and the keys the
# program read. For a pygame game it also plays: it asks the sandbox's script (through the
# /out/keys pipe) to press SPACE like a player would, then stops pressing so the bird
# falls, then presses once to restart (see Driver).
# The compare verdicts are computed from the log. It trusts an honest program (the program
# could write the file too): evidence, not a security boundary. It never breaks the
# program: any failure here turns the observer off. The log is opened at the first
# snapshot, so a program that draws nothing has no file of ours open.
import json
import os
import sys
import time
import weakref

OBSERVE_HZ = 30
MAX_BYTES = 8 * 1024 * 1024
LOG_PATH = "/out/observe.jsonl"
KEYS_PIPE = "/out/keys"


class Log:
    def __init__(self):
        self.written = 0
        self.on = True
        self.file = None
        self.last = 0.0

    def due(self, now):
        return self.on and now - self.last >= 1.0 / OBSERVE_HZ

    def write(self, record):
        self.last = record["t"]
        line = json.dumps(record, separators=(",", ":"))
        self.written += len(line) + 1
        if self.written > MAX_BYTES:
            self.on = False
            return
        if self.file is None:
            self.file = open(LOG_PATH, "a", buffering=1)
        self.file.write(line + "\n")


LOG = Log()


def _install_tkinter():
    try:
        import tkinter
    except Exception:
        return
    canvases = weakref.WeakSet()

    def snapshot():
        now = time.monotonic()
        if not LOG.due(now):
            return
        try:
            for canvas in list(canvases):
                items = []
                for item in canvas.find_all():
                    kind = canvas.type(item)
                    coords = [round(value, 1) for value in canvas.coords(item)]
                    fill = canvas.itemcget(item, "fill") if kind != "image" else ""
                    if kind == "text":
                        angle = float(canvas.itemcget(item, "angle") or 0)
                        items.append([kind, coords, fill, canvas.itemcget(item, "text"), angle])
                    else:
                        items.append([kind, coords, fill, None])
                LOG.write({"k": "tkinter", "t": round(now, 4), "w": canvas.winfo_width(),
                           "h": canvas.winfo_height(), "items": items})
        except Exception:
            LOG.on = False

    real_canvas_init = tkinter.Canvas.__init__

    def canvas_init(self, *args, **kwargs):
        real_canvas_init(self, *args, **kwargs)
        canvases.add(self)

    real_after = tkinter.Misc.after

    def after(self, ms, func=None, *args):
        if func is None:
            return real_after(self, ms)

        def observed(*call_args):
            try:
                return func(*call_args)
            finally:
                snapshot()

        return real_after(self, ms, observed, *args)

    real_update = tkinter.Misc.update

    def update(self):
        real_update(self)
        snapshot()

    tkinter.Canvas.__init__ = canvas_init
    tkinter.Misc.after = after
    tkinter.Misc.update = update


class Driver:
    """Plays Flappy Bird well enough to show its rules: a still start (does the bird
    fall?), then SPACE whenever the bird is below the next gap's middle (flaps, passed
    pipes, a score) until it has got past a pipe (or most of the recording is gone), then
    no presses (the bird falls to the ground: the round ends), then one press (a restart),
    then playing again. A game that runs slowly (a busy machine draws fewer frames, and
    its pipes come later) gets longer to pass its first pipe."""

    # How far ahead to aim: a key press takes about this long to reach the game.
    LAG_S = 0.05
    STILL_S = 1.0

    def __init__(self, seconds):
        self.seconds = seconds
        self.start = None
        self.last_press = -1.0
        self.phase = "still"
        self.falling_since = None
        self.passed = False
        self.pipe = None
        self.bird = None  # (time, centre y) in the frame before

    def press(self, now):
        # The pipe appears once the sandbox has focused the window and started recording:
        # until then nothing is pressed, and the next frame tries again.
        try:
            if self.pipe is None:
                self.pipe = os.open(KEYS_PIPE, os.O_WRONLY | os.O_NONBLOCK)
            os.write(self.pipe, b"space\n")
            self.last_press = now
            return True
        except OSError:
            return False

    def frame(self, now, items, width, height):
        if self.start is None:
            self.start = now
        share = (now - self.start) / self.seconds
        bird = _find_bird(items, width, height)
        seen, self.bird = self.bird, (now, (bird[1] + bird[3]) / 2) if bird else None
        if bird is not None and _pipe_just_passed(items, bird, height):
            self.passed = True
        if self.phase == "still":
            if now - self.start >= self.STILL_S:
                self.phase = "fly"
            return
        if self.phase == "fly" and ((self.passed and share >= 0.4) or share >= 0.7):
            self.phase, self.falling_since = "fall", now
        if self.phase == "fall":
            if now - self.falling_since < max(1.5, self.seconds * 0.2):
                return
            if self.press(now):  # the restart
                self.phase = "replay"
            return
        self.fly(now, items, width, height, bird, seen)

    def fly(self, now, items, width, height, bird, seen):
        if now - self.last_press < 0.2:
            return
        if bird is None or now - self.last_press > 1.5:
            self.press(now)  # a start screen, or nothing seen yet: SPACE starts most games
            return
        # Where the bird will be when a press made now arrives, at its present speed.
        y = self.bird[1]
        if seen is not None and now > seen[0]:
            y += (y - seen[1]) / (now - seen[0]) * self.LAG_S
        # A flap lifts the bird well above where it was: aim its lowest point below the middle.
        middle, gap = _gap(items, bird, width, height)
        if y > middle + gap * 0.2:
            self.press(now)


def _pipe_just_passed(items, bird, height):
    """A pipe from the top whose trailing edge is just behind the bird's middle."""
    middle = (bird[0] + bird[2]) / 2
    return any(
        kind in ("rect", "image", "polygon") and y1 <= 1 and y2 - y1 > height * 0.08
        and middle - 30 <= x2 < middle
        for kind, (x1, y1, x2, y2), _fill, _text in items
    )


def _find_bird(items, width, height):
    """The largest small, squarish shape in the left half that is not part of a pipe (a
    pipe reaches the top, or shares its colour with a tall shape): how games draw the bird."""
    tall = {fill for kind, (_x1, y1, _x2, y2), fill, _text in items if y2 - y1 > height * 0.2}
    best = None
    for kind, (x1, y1, x2, y2), fill, _text in items:
        w, h = x2 - x1, y2 - y1
        if kind in ("text", "fill") or w < 4 or h < 4 or y1 <= 1 or fill in tall:
            continue
        if w > width * 0.2 or h > height * 0.2 or not 0.4 <= w / h <= 2.5:
            continue
        if (x1 + x2) / 2 > width / 2:
            continue
        if best is None or w * h > (best[2] - best[0]) * (best[3] - best[1]):
            best = (x1, y1, x2, y2)
    return best


def _gap(items, bird, width, height):
    """The middle and height of the gap in the nearest pipe ahead (tall shapes from the top
    and up from the bottom, at the same place); without one, the screen's middle."""
    ahead = [
        (x1, y1, x2, y2)
        for kind, (x1, y1, x2, y2), _fill, _text in items
        if kind in ("rect", "image", "polygon") and x2 >= bird[0] and y2 - y1 > height * 0.08
        and x2 - x1 < width * 0.4
    ]
    if not ahead:
        return height * 0.45, 0
    nearest = min(x1 for x1, _y1, _x2, _y2 in ahead)
    column = [p for p in ahead if p[0] <= nearest + 10]
    tops = [y2 for _x1, y1, _x2, y2 in column if y1 <= 1]
    bottoms = [y1 for _x1, y1, _x2, _y2 in column if y1 > 1]
    if tops and bottoms and min(bottoms) > max(tops):
        return (max(tops) + min(bottoms)) / 2, min(bottoms) - max(tops)
    return height * 0.45, 0


def _install_pygame():
    """Waits for the program to import pygame, then observes it (see _observe_pygame)."""
    import importlib.abc
    import importlib.util

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name != "pygame":
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            if spec is None or spec.loader is None:
                return spec
            real_exec = spec.loader.exec_module

            def exec_module(module):
                real_exec(module)
                try:
                    _observe_pygame(module)
                except Exception:
                    pass

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Finder())


def _patch_method(cls, name, function):
    # pygame's types are C types whose methods cannot be assigned; their dictionary can be
    # written once reached (what the forbiddenfruit package does), then the type's method
    # cache is reset.
    import ctypes
    import gc

    gc.get_referents(cls.__dict__)[0][name] = function
    ctypes.pythonapi.PyType_Modified(ctypes.py_object(cls))


def _observe_pygame(pg):
    state = {"screen": None, "items": [], "keys": []}
    texts = weakref.WeakKeyDictionary()
    colours = weakref.WeakKeyDictionary()
    seconds = float(os.environ.get("QUANTDECK_DRIVE_SECONDS") or 0)
    driver = Driver(seconds) if seconds > 0 else None

    def hex_colour(colour):
        try:
            if isinstance(colour, int):
                colour = state["screen"].unmap_rgb(colour)
            c = pg.Color(colour)
            return "#%02x%02x%02x" % (c.r, c.g, c.b)
        except Exception:
            return ""

    def record(surface, kind, rect, colour, text=None):
        if surface is not state["screen"] or rect is None or len(state["items"]) >= 2000:
            return
        x, y, w, h = rect
        box = [round(v, 1) for v in (x, y, x + w, y + h)]
        state["items"].append([kind, box, colour, text])

    def observe_draw(kind):
        real = getattr(pg.draw, kind)

        def draw(surface, colour, *args, **kwargs):
            rect = real(surface, colour, *args, **kwargs)
            try:
                record(surface, kind, rect, hex_colour(colour))
            except Exception:
                pass
            return rect

        setattr(pg.draw, kind, draw)

    for kind in ("rect", "circle", "ellipse", "polygon", "line", "lines", "aalines", "aaline", "arc"):
        if hasattr(pg.draw, kind):
            observe_draw(kind)

    real_fill = pg.Surface.fill

    def fill(self, colour, *args, **kwargs):
        rect = real_fill(self, colour, *args, **kwargs)
        try:
            if self is state["screen"]:
                record(self, "fill", rect, hex_colour(colour))
            elif not args:
                colours[self] = hex_colour(colour)
        except Exception:
            pass
        return rect

    real_blit = pg.Surface.blit

    def blit(self, source, dest, area=None, *args, **kwargs):
        rect = real_blit(self, source, dest, area, *args, **kwargs)
        try:
            if self is state["screen"]:
                # Where the whole of it went (the returned rect is clipped to the screen): a
                # text cut off at the edge is seen as such.
                size = pg.Rect(area).size if area is not None else source.get_size()
                whole = (dest[0], dest[1]) + tuple(size)
                if source in texts:
                    record(self, "text", whole, texts[source][1], texts[source][0])
                else:
                    if source not in colours:
                        colours[source] = hex_colour(pg.transform.average_color(source))
                    record(self, "image", whole, colours[source])
        except Exception:
            pass
        return rect

    real_render = pg.font.Font.render

    def render(self, text, antialias, colour, *args, **kwargs):
        surface = real_render(self, text, antialias, colour, *args, **kwargs)
        try:
            texts[surface] = (str(text)[:200], hex_colour(colour))
        except Exception:
            pass
        return surface

    _patch_method(pg.Surface, "fill", fill)
    _patch_method(pg.Surface, "blit", blit)
    _patch_method(pg.font.Font, "render", render)

    real_set_mode = pg.display.set_mode

    def set_mode(*args, **kwargs):
        screen = real_set_mode(*args, **kwargs)
        state["screen"] = screen
        if driver is not None:
            try:
                open("/out/driving", "w").close()
            except OSError:
                pass
        return screen

    pg.display.set_mode = set_mode

    def observe_events(name):
        real = getattr(pg.event, name)

        def read(*args, **kwargs):
            events = real(*args, **kwargs)
            try:
                now = round(time.monotonic(), 4)
                for event in events if isinstance(events, list) else [events]:
                    if event.type == pg.KEYDOWN:
                        state["keys"].append([now, pg.key.name(event.key)])
            except Exception:
                pass
            return events

        setattr(pg.event, name, read)

    for name in ("get", "poll", "wait"):
        observe_events(name)

    def shown():
        screen = state["screen"]
        items, state["items"] = state["items"], []
        if screen is None:
            return
        now = time.monotonic()
        width, height = screen.get_size()
        if driver is not None:
            driver.frame(now, items, width, height)
        if not LOG.due(now) and not state["keys"]:
            return
        keys, state["keys"] = state["keys"][-50:], []
        LOG.write({"k": "pygame", "t": round(now, 4), "w": width, "h": height,
                   "items": items, "keys": keys})

    def observe_display(name):
        real = getattr(pg.display, name)

        def show(*args, **kwargs):
            result = real(*args, **kwargs)
            try:
                if LOG.on:
                    shown()
            except Exception:
                LOG.on = False
            return result

        setattr(pg.display, name, show)

    observe_display("flip")
    observe_display("update")


if os.environ.get("QUANTDECK_OBSERVE") != "off":
    try:
        _install_tkinter()
    except Exception:
        pass
    try:
        _install_pygame()
    except Exception:
        pass
