"""The item clock as plain Python: a fake monotonic clock in, saves counted through the callback."""

from __future__ import annotations

from labreview.ui.timebox import FLUSH_EVERY, Timebox


class FakeClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


class Store:
    """The save callback: records what was saved; ``refuse`` makes it fail (a locked file)."""

    def __init__(self) -> None:
        self.saved: list[int] = []
        self.refuse = False

    def __call__(self, seconds: int) -> bool:
        if self.refuse:
            return False
        self.saved.append(seconds)
        return True


def make(spent: int = 0, *, running: bool = True) -> tuple[Timebox, FakeClock, Store]:
    clock, store = FakeClock(), Store()
    timebox = Timebox(clock, store)
    timebox.start(spent, running=running)
    return timebox, clock, store


def test_a_stopped_clock_shows_what_is_stored_and_saves_nothing():
    timebox, clock, store = make(90, running=False)
    clock.now += 40
    timebox.tick()
    timebox.stop()
    assert not timebox.running and timebox.elapsed() == 90 and store.saved == []


def test_a_running_clock_counts_from_what_is_stored():
    timebox, clock, store = make(90)
    clock.now += 12.5
    assert timebox.running and timebox.elapsed() == 102.5 and store.saved == []


def test_whole_seconds_are_saved_every_flush_every_ticks_and_the_fraction_waits():
    timebox, clock, store = make()
    for _ in range(FLUSH_EVERY - 1):
        clock.now += 1.1
        timebox.tick()
    assert store.saved == []
    clock.now += 1.1
    timebox.tick()
    assert store.saved == [16]  # 15 × 1.1 s = 16.5 s: the half second waits
    assert abs(timebox.elapsed() - 16.5) < 1e-9


def test_stop_saves_what_ran_and_the_clock_stands_still():
    timebox, clock, store = make(10)
    clock.now += 7.9
    timebox.stop()
    assert store.saved == [7] and not timebox.running
    clock.now += 100
    assert abs(timebox.elapsed() - 17.9) < 1e-9


def test_a_refused_save_keeps_counting_and_the_next_flush_saves_it_all():
    timebox, clock, store = make()
    store.refuse = True
    clock.now += 20
    timebox.flush()
    assert store.saved == [] and timebox.elapsed() == 20
    store.refuse = False
    clock.now += 5
    timebox.flush()
    assert store.saved == [25] and timebox.elapsed() == 25


def test_starting_on_another_item_forgets_the_last_ones_unsaved_fraction():
    timebox, clock, store = make()
    clock.now += 3.5
    timebox.stop()
    timebox.start(60, running=True)
    clock.now += 2
    assert store.saved == [3] and timebox.elapsed() == 62
