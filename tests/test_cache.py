"""The one cache type: entries read back only while whole, and kept for this build and the one before."""

from reportpub.cache import LAST_BUILD_FILE, Cache


def build(directory, *keys, reuse=True) -> Cache:
    """One build's use of a cache: it makes (or finds) the entries ``keys``, then prunes."""
    cache = Cache(directory, reuse=reuse)
    for key in keys:
        if cache.get(key) is None:
            cache.put(key, f"content of {key}")
    cache.prune()
    return cache


def keys_in(directory) -> set[str]:
    return {path.name.split(".", 1)[0] for path in directory.iterdir() if not path.name.startswith(".")}


def test_entries_of_this_build_and_the_one_before_stay_older_ones_go(tmp_path):
    build(tmp_path, "a", "b")
    build(tmp_path, "b", "c")
    assert keys_in(tmp_path) == {"a", "b", "c"}  # undoing the last edit finds "a" again
    build(tmp_path, "c", "d")
    assert keys_in(tmp_path) == {"b", "c", "d"}
    build(tmp_path, "d")
    assert keys_in(tmp_path) == {"c", "d"}
    assert (tmp_path / LAST_BUILD_FILE).is_file()


def test_an_entry_reads_back_only_while_whole(tmp_path):
    cache = Cache(tmp_path)
    cache.put("k", b"bytes")
    assert cache.get("k") == b"bytes"
    path = tmp_path / "k.entry"
    path.write_bytes(path.read_bytes()[:-1])  # damaged after it was written
    assert cache.get("k") is None and not path.exists()


def test_files_are_sealed_and_their_companions_go_with_them(tmp_path):
    cache = Cache(tmp_path, "font-*")
    path = cache.put_file("font-1", "otf", lambda target: target.write_bytes(b"OTTO"))
    assert path.read_bytes() == b"OTTO" and (tmp_path / "font-1.otf.sha256").is_file()
    assert cache.get_file("font-1", "otf") == path
    (tmp_path / "other.json").write_text("{}", encoding="utf-8")  # not this cache's: outside its pattern
    Cache(tmp_path, "font-*").prune()
    Cache(tmp_path, "font-*").prune()
    assert keys_in(tmp_path) == {"other"}
    path = cache.put_file("font-2", "otf", lambda target: target.write_bytes(b"OTTO"))
    path.write_bytes(b"OTTX")
    assert cache.get_file("font-2", "otf") is None and not path.exists()


def test_force_finds_nothing_but_keeps_what_it_makes(tmp_path):
    build(tmp_path, "a")
    forced = Cache(tmp_path, reuse=False)
    assert forced.get("a") is None
    forced.put("a", "again")
    forced.prune()
    assert Cache(tmp_path).get("a") == b"again"
