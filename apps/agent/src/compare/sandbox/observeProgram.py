# Quantdeck's observer, loaded into the sandboxed Python before the program (as
# sitecustomize, from PYTHONPATH=/observe): it records what a tkinter program draws on its canvases, at most
# OBSERVE_HZ times a second, as one JSON line per snapshot in /out/observe.jsonl:
#   {"t": monotonic seconds, "w": width, "h": height,
#    "items": [[type, [coords...], fill, text], ...]}
# The compare verdicts are computed from it. It trusts an honest program (the program could
# write the file too): evidence, not a security boundary. It never breaks the program: any
# failure here turns the observer off. The log is opened at the first snapshot, so a program
# that draws nothing has no file of ours open.
import json
import time
import weakref

OBSERVE_HZ = 30
MAX_BYTES = 8 * 1024 * 1024
LOG_PATH = "/out/observe.jsonl"


def _install():
    try:
        import tkinter
    except Exception:
        return
    canvases = weakref.WeakSet()
    state = {"last": 0.0, "written": 0, "on": True, "log": None}

    def snapshot():
        now = time.monotonic()
        if not state["on"] or now - state["last"] < 1.0 / OBSERVE_HZ:
            return
        state["last"] = now
        try:
            for canvas in list(canvases):
                items = []
                for item in canvas.find_all():
                    kind = canvas.type(item)
                    coords = [round(value, 1) for value in canvas.coords(item)]
                    fill = canvas.itemcget(item, "fill") if kind != "image" else ""
                    text = canvas.itemcget(item, "text") if kind == "text" else None
                    items.append([kind, coords, fill, text])
                line = json.dumps(
                    {"t": round(now, 4), "w": canvas.winfo_width(), "h": canvas.winfo_height(),
                     "items": items},
                    separators=(",", ":"),
                )
                state["written"] += len(line) + 1
                if state["written"] > MAX_BYTES:
                    state["on"] = False
                    return
                if state["log"] is None:
                    state["log"] = open(LOG_PATH, "a", buffering=1)
                state["log"].write(line + "\n")
        except Exception:
            state["on"] = False

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


try:
    _install()
except Exception:
    pass
