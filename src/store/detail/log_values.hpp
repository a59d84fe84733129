#pragma once
// How the log keeps an event's stored bytes (canonical bytes ‖ 32-byte chain hash) in its LMDB
// value: the one place that knows it. Everything above sees the stored bytes only, exactly as
// before: the chain hashes the canonical bytes, the Merkle leaves are the canonical bytes,
// stored_event() and replication carry canonical ‖ hash.
//
// Formats 1-3 ("plain"): the value is the stored bytes.
// Format 4 ("tagged", docs/storage.md):
//   value = dictionary id (u8) ‖ body ‖ chain hash (32 bytes)
//   id 0:   body = the canonical bytes as they are (a value that zstd would not make smaller)
//   id k>0: body = a zstd frame (RFC 8878) of the canonical bytes, compressed with dictionary k,
//           without the frame's 4-byte magic number (always the same), without a checksum (the
//           chain hash covers the bytes) and without the dictionary id field (the tag says it).
// The hash stays outside the frame: it does not compress, and the chain head at open is read
// without decompressing anything.
// Format 5 ("split", docs/storage.md "Format 5"): the fields the writer assigns stay outside
// the frame, so the frame can be made before the writer, on the appending thread:
//   value = tag (u8) ‖ writer fields ‖ body ‖ chain hash (32 bytes)
//   tag 0:   no writer fields; body = the canonical bytes as they are (as format 4's id 0)
//   tag k>0: writer fields = LEB128 version ‖ event id (16 bytes) ‖ LEB128 recorded_at as a
//            difference (microseconds, modulo 2^64, zigzag, shifted left one bit) to the id's
//            UUIDv7 time (low bit 1) or to occurred_at (low bit 0);
//            body = a zstd frame as format 4's (dictionary k, no magic, checksum or dictionary
//            id) of the canonical bytes without their header byte, position, version, id and
//            recorded_at (the "template").
//   The position is the log's key and is not in the value: decode takes it.
//
// Dictionaries live in the ledger's meta table under "log_dictionary/<k>" and are put there in
// the transaction that creates the ledger (dictionary 1: compiled into the binary, see
// builtin_log_dictionary), never replaced, and copied with every other table by a backup; a
// ledger never depends on the binary that reads it keeping the same dictionary.
//
// Threading: a log_values object is immutable once loaded and may be shared by every thread;
// zstd's contexts are per thread (thread_local inside). Errors: codec_error for a value that
// does not decode (unknown dictionary, damaged frame, wrong size); lmdb::error from LMDB.

#include "detail/canonical_split.hpp"

#include "ledger/envelope_codec.hpp"
#include "ledger/store/lmdb.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ledger::store::detail {

/// The dictionary id of format 4's dictionary (the one a format-4 build seeded ledgers with).
inline constexpr std::uint8_t builtin_dictionary_id = 1;
/// The dictionary id a new (format-5) ledger is seeded with: trained on templates.
inline constexpr std::uint8_t builtin_template_dictionary_id = 2;

/// The zstd dictionary compiled into this build as dictionary 1 (src/store/log_dictionary_1.zdict,
/// docs/storage.md says how it was made). Never changed: a new one gets a new id.
std::string_view builtin_log_dictionary() noexcept;

/// Dictionary 2 (src/store/log_dictionary_2.zdict): trained on format 5's templates
/// (detail/canonical_split.hpp), seeds new ledgers. Never changed.
std::string_view builtin_template_dictionary() noexcept;

/// The meta key of dictionary `id`.
std::string log_dictionary_key(std::uint8_t id);

class log_values {
public:
    enum class encoding { plain, tagged, split };

    /// Plain values (formats 1-3).
    static std::shared_ptr<log_values const> plain();

    /// Tagged (format 4) or split (format 5) values with the dictionaries stored in `meta`; new
    /// values use the one with the largest id (or none). Throws codec_error when a stored
    /// dictionary is malformed.
    static std::shared_ptr<log_values const> load(lmdb::txn const& txn, lmdb::dbi meta,
                                                  encoding kind = encoding::split);

    /// Tagged or split values with the given dictionaries (tools and tests: no ledger needed).
    static std::shared_ptr<log_values const> with_dictionaries(std::map<std::uint8_t, std::string> dictionaries,
                                                               int level = default_level,
                                                               encoding kind = encoding::split);

    /// Puts `bytes` into `meta` as dictionary `id`; false (nothing written) when that id is
    /// taken, so a dictionary once written never changes.
    static bool store_dictionary(lmdb::write_txn& txn, lmdb::dbi meta, std::uint8_t id, std::string_view bytes);

    /// zstd's level for new values: the writer's cost per event against bytes on disk
    /// (docs/performance.md "Bytes per event: format 4").
    static constexpr int default_level = 3;

    encoding kind() const noexcept { return kind_; }

    /// The value to put at `position` for `stored` (canonical ‖ hash): `stored` itself when
    /// plain, otherwise built in `out` (its memory reused) and returned as a view of it.
    /// Throws codec_error when `stored` is too short to hold a hash.
    std::string_view encode(std::uint64_t position, std::string_view stored, std::string& out) const;

    /// Split values only (format 5), on the appending thread, before the writer: appends to
    /// `out` the prepared template of `event` (its canonical bytes without position, version,
    /// id and recorded_at, compressed; position, version, id and recorded_at of `event` are
    /// ignored). The writer turns it into the value with encode_prepared. Thread-safe.
    void prepare(recorded_event const& event, std::string& out) const;

    /// Split values: the value for `stored` at `position` whose template `prepare` made from
    /// the same event (only the writer fields told apart). Splices the writer fields; no
    /// compression. A template that is not exactly `stored`'s (other bytes, a malformed one) is
    /// not used: the value is then encoded as `encode` does. `spliced` says which happened.
    /// Throws codec_error as encode.
    std::string_view encode_prepared(std::uint64_t position, std::string_view stored, std::string_view prepared,
                                     std::string& out, bool& spliced) const;

    /// A prepared template (prepare's output) opened for the writer: the template, where its
    /// writer fields go back, and the frame (tag 0: none; the value is kept whole).
    struct opened_template {
        std::uint8_t tag = 0;
        std::string_view templ, frame;
        template_layout layout;
    };

    /// Split values: `prepared` opened, or nullopt when it is malformed or names a dictionary
    /// this ledger lacks (the writer then encodes as before). Views into `prepared`.
    std::optional<opened_template> open_prepared(std::string_view prepared) const noexcept;

    /// Split values: the value for `stored`, whose canonical bytes are
    /// join_canonical(t.templ, t.layout, fields) (the writer sealed them from the template:
    /// nothing to compare, nothing compressed). The same value encode_prepared gives for them.
    std::string_view encode_opened(opened_template const& t, writer_fields const& fields, std::string_view stored,
                                   std::string& out) const;

    /// The stored bytes (canonical ‖ hash) of the log value at `position`: `value` itself when
    /// plain or stored uncompressed, otherwise decompressed into `scratch` (its memory reused).
    /// Throws codec_error when the value does not decode.
    std::string_view decode(std::uint64_t position, std::string_view value, std::string& scratch) const;

    /// Split values (format 5) with a dictionary tag: the event id the value keeps outside its
    /// frame, without decompressing; nullopt for any other value (decode it). Throws
    /// codec_error when the value is too short for it.
    std::optional<std::array<char, 16>> event_id_outside_frame(std::string_view value) const;

    /// The chain hash at the end of a log value, without decompressing. Throws codec_error
    /// when the value is too short.
    static sha256_digest hash_of(std::string_view value) { return stored_hash(value); }

    struct dictionary;  // a loaded dictionary (log_values.cpp)
    log_values(encoding kind, std::map<std::uint8_t, std::shared_ptr<dictionary const>> dictionaries);
    ~log_values();

private:
    std::string_view encode_split(std::uint64_t position, std::string_view stored, std::string& out) const;
    std::string_view decode_split(std::uint64_t position, std::string_view value, std::string& scratch) const;
    /// A prepared frame with the writer fields spliced in (tag 0 or too large: kept whole).
    static std::string_view splice(std::uint8_t tag, writer_fields const& fields, std::uint64_t occurred_at,
                                   std::string_view frame, std::string_view stored, std::string& out);
    dictionary const& newest() const { return *dictionaries_.at(newest_); }
    /// The dictionary a compressed value names; codec_error when the ledger lacks it.
    dictionary const& dictionary_named(std::uint8_t id) const;

    encoding kind_;
    std::map<std::uint8_t, std::shared_ptr<dictionary const>> dictionaries_;
    std::uint8_t newest_ = 0;  // the dictionary new values use (0: none)
};

}  // namespace ledger::store::detail
