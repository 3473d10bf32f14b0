"""The collector pause around bulk jobs."""

import gc

from meetcoop.core.db import gc_paused


def test_the_objects_made_during_the_pause_go_unscanned_to_the_oldest_generation():
    gc.collect()
    with gc_paused():
        assert not gc.isenabled()
        made = [[i] for i in range(10_000)]
    assert gc.isenabled()
    assert gc.get_count()[0] < 100  # nothing left in the youngest generation to scan
    assert any(o is made for o in gc.get_objects(generation=2))


def test_a_collector_disabled_before_stays_disabled():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
