"""The content-addressed blob store on both backends: bytes kept under their SHA-256, read
back only while they still hash to it, never replaced, refused above the size limit, and
kept where earlier releases kept them (so stored policy documents and certificates read)."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest

from ledger.application import Ledger
from ledger.blob_store import (
    CERTIFICATE_BLOBS,
    POLICY_DOCUMENTS,
    Blob,
    BlobStore,
    Collection,
    DirectoryBlobs,
    TableBlobs,
    open_blob_store,
    sha256_of,
)
from ledger.errors import (
    BlobError,
    CertificateTamperedError,
    InvalidValueError,
    PolicyBlobError,
)
from tests.tamper import application, privileged

COLLECTIONS = [POLICY_DOCUMENTS, CERTIFICATE_BLOBS]
CONTENT = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _store(ledger: Ledger, collection: Collection, max_bytes: int | None = None) -> BlobStore:
    datastore = getattr(ledger.recorder, "datastore", None)
    return open_blob_store(collection, ledger.database, datastore, max_bytes=max_bytes)


def _overwrite(ledger: Ledger, store: BlobStore, sha256: str, content: bytes | None) -> None:
    """Change (or, with None, remove) the kept bytes as someone with storage access could."""
    if isinstance(store, DirectoryBlobs):
        if content is None:
            store.path(sha256).unlink()
        else:
            store.path(sha256).write_bytes(content)
        return
    table = store.collection.table
    with privileged(ledger) as cur:
        if content is None:
            cur.execute(f"DELETE FROM {table} WHERE sha256 = %s", (sha256,))
        else:
            cur.execute(f"UPDATE {table} SET content = %s WHERE sha256 = %s", (content, sha256))


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.label)
def test_bytes_read_back_under_their_hash_and_are_kept_once(
    ledger: Ledger, collection: Collection
) -> None:
    """A put blob reads back byte for byte; the same bytes again keep one copy."""
    store = _store(ledger, collection)
    blob = Blob.of(CONTENT, "application/pdf")
    store.put(blob)
    store.put(Blob.of(CONTENT, "application/pdf"))
    assert store.get(blob.sha256) == CONTENT
    assert blob.sha256 == sha256_of(CONTENT)
    assert blob.size == len(CONTENT)
    if isinstance(store, DirectoryBlobs):
        files = sorted(p for p in store.root.rglob("*") if p.is_file())
        assert files == [store.path(blob.sha256)]  # no temporary file left behind
    else:
        assert isinstance(store, TableBlobs)
        with privileged(ledger) as cur:
            rows = cur.execute(f"SELECT sha256, media_type FROM {collection.table}")
        assert rows == [(blob.sha256, "application/pdf")]
    store.close()


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.label)
def test_a_tampered_or_missing_blob_is_detected_on_read(
    ledger: Ledger, collection: Collection
) -> None:
    """Bytes changed where they are kept raise the collection's error, naming both hashes;
    so do bytes removed; a put of the true bytes never replaces the altered copy."""
    store = _store(ledger, collection)
    blob = Blob.of(CONTENT, "application/pdf")
    store.put(blob)
    forged = CONTENT.replace(b"Catalog", b"Catalos")
    _overwrite(ledger, store, blob.sha256, forged)
    with pytest.raises(collection.error, match="altered") as raised:
        store.get(blob.sha256)
    assert isinstance(raised.value, BlobError)
    assert sha256_of(forged) in str(raised.value)
    store.put(blob)  # never overwrites: the altered copy stays, and stays refused
    with pytest.raises(collection.error, match="altered"):
        store.get(blob.sha256)
    _overwrite(ledger, store, blob.sha256, CONTENT)  # restored exactly: whole again
    assert store.get(blob.sha256) == CONTENT
    _overwrite(ledger, store, blob.sha256, None)
    with pytest.raises(collection.error, match="missing"):
        store.get(blob.sha256)
    store.close()


def test_each_collection_raises_its_own_error(ledger: Ledger) -> None:
    """Policy documents raise ``PolicyBlobError``, certificates ``CertificateTamperedError``
    (which the HTTP edge maps to 500 ``certificate_tampered``)."""
    assert POLICY_DOCUMENTS.error is PolicyBlobError
    assert CERTIFICATE_BLOBS.error is CertificateTamperedError
    absent = sha256_of(b"never stored")
    for collection in COLLECTIONS:
        with pytest.raises(collection.error, match=f"{collection.label} {absent} is missing"):
            _store(ledger, collection).get(absent)


def test_the_collections_do_not_see_each_others_blobs(ledger: Ledger) -> None:
    """A certificate is not a policy document: each collection is kept apart."""
    _store(ledger, CERTIFICATE_BLOBS).put(Blob.of(CONTENT, "application/pdf"))
    with pytest.raises(PolicyBlobError, match="missing"):
        _store(ledger, POLICY_DOCUMENTS).get(sha256_of(CONTENT))


def test_bad_puts_and_keys_are_refused_and_nothing_is_kept(ledger: Ledger) -> None:
    """Above the size limit, bytes under another hash, and a key that is not a SHA-256 are
    refused with one line; nothing is written."""
    store = _store(ledger, CERTIFICATE_BLOBS, max_bytes=len(CONTENT))
    store.put(Blob.of(CONTENT, "application/pdf"))  # at the limit: kept
    big = Blob.of(CONTENT + b" ", "application/pdf")
    with pytest.raises(InvalidValueError, match=f"a certificate is at most {len(CONTENT)} bytes"):
        store.put(big)
    lying = Blob(b"other bytes", "application/pdf", sha256_of(b"something else"))
    with pytest.raises(InvalidValueError, match="do not hash to"):
        store.put(lying)
    for key in ("../../etc/passwd", sha256_of(b"x").upper(), "ab" * 31):
        with pytest.raises(InvalidValueError, match="is not a SHA-256"):
            store.get(key)
        with pytest.raises(InvalidValueError, match="is not a SHA-256"):
            store.put(Blob(b"x", "text/plain", key))
    for sha256 in (big.sha256, lying.sha256):
        with pytest.raises(CertificateTamperedError, match="missing"):
            store.get(sha256)
    assert POLICY_DOCUMENTS.max_bytes == 20_000_000
    with pytest.raises(InvalidValueError, match="a policy document is at most 20000000 bytes"):
        _store(ledger, POLICY_DOCUMENTS).put(Blob.of(b"x" * 20_000_001, "text/markdown"))


def test_blobs_kept_by_earlier_releases_still_read(ledger: Ledger) -> None:
    """The layouts are those of ``ledger.blobs`` and ``ledger.certificates`` before the
    merge: ``NAME.blobs/ab/abcd…`` and ``NAME.certificates/abcd…`` beside a SQLite file,
    the tables ``muster_policy_blobs`` and ``muster_certificates`` on PostgreSQL."""
    policy, certificate = b"# Pursuit\n\nOnly when...\n", CONTENT
    p, c = sha256_of(policy), sha256_of(certificate)
    db = ledger.database
    if db.sqlite_path is not None:
        folder = db.sqlite_path.parent
        (folder / "muster.blobs" / p[:2]).mkdir(parents=True)
        (folder / "muster.blobs" / p[:2] / p).write_bytes(policy)
        (folder / "muster.certificates").mkdir()
        (folder / "muster.certificates" / c).write_bytes(certificate)
    else:
        with privileged(ledger) as cur:
            cur.execute(
                "INSERT INTO muster_policy_blobs (sha256, media_type, content) VALUES (%s, %s, %s)",
                (p, "text/markdown", policy),
            )
            cur.execute(
                "INSERT INTO muster_certificates (sha256, media_type, size, content) "
                "VALUES (%s, %s, %s, %s)",
                (c, "application/pdf", len(certificate), certificate),
            )
    assert _store(ledger, POLICY_DOCUMENTS).get(p) == policy
    assert _store(ledger, CERTIFICATE_BLOBS).get(c) == certificate


def test_the_application_role_may_not_change_or_delete_a_blob(ledger: Ledger) -> None:
    """PostgreSQL: the application role may only select and insert blobs."""
    if ledger.database.backend == "sqlite":
        pytest.skip("the SQLite store keeps blobs as files beside its own")
    for collection in COLLECTIONS:
        _store(ledger, collection).put(Blob.of(CONTENT, "application/pdf"))
        for statement in (
            f"UPDATE {collection.table} SET content = %s",
            f"DELETE FROM {collection.table} WHERE content <> %s",
        ):
            with (
                application(ledger) as cur,
                pytest.raises(psycopg.errors.InsufficientPrivilege),
            ):
                cur.execute(statement, (b"x",))
        assert _store(ledger, collection).get(sha256_of(CONTENT)) == CONTENT


def test_racing_writers_of_the_same_bytes_keep_one_whole_copy(ledger: Ledger) -> None:
    """Eight threads putting the same bytes at once: one copy, whole, no temporary left."""
    store = _store(ledger, POLICY_DOCUMENTS)
    content = b"# Body-worn cameras\n" + b"x" * 200_000
    blob = Blob.of(content, "text/markdown")
    errors: list[BaseException] = []

    def put() -> None:
        try:
            store.put(blob)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=put) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.get(blob.sha256) == content
    if isinstance(store, DirectoryBlobs):
        assert [p.name for p in Path(store.root).rglob("*") if p.is_file()] == [blob.sha256]
