#include "detail/tables.hpp"

#include "ledger/detail/binary_archive.hpp"
#include "ledger/envelope_codec.hpp"

#include <boost/endian/conversion.hpp>
#include <cereal/types/string.hpp>

#include <algorithm>

namespace ledger::store::detail {

tables tables::open(lmdb::write_txn& txn) {
    tables db{
        .log = txn.open_database("log"),
        .stream_index = txn.open_database("stream_index"),
        .stream_heads = txn.open_database("stream_heads"),
        .streams = txn.open_database("streams"),
        .stream_names = txn.open_database("stream_names"),
        .stream_runs = txn.open_database("stream_runs"),
        .stream_marks = txn.open_database("stream_marks"),
        .event_ids = txn.open_database("event_ids"),
        .event_id_keys = txn.open_database("event_id_keys", MDB_DUPSORT | MDB_DUPFIXED),
        .projections = txn.open_database("projections"),
        .subject_keys = txn.open_database("subject_keys"),
        .meta = txn.open_database("meta"),
        .merkle = txn.open_database("merkle"),
    };
    auto const format = txn.get(db.meta, meta_format_version);
    // No version yet: a new ledger, written as the newest format.
    auto const version = format ? decode_u64(*format) : std::uint64_t{format_version};
    db.layout = version <= newest_separate_format_version   ? stream_layout::separate
                : version <= newest_combined_format_version ? stream_layout::combined
                                                            : stream_layout::linked;
    bool const before_6 = version <= newest_full_id_index_format_version;
    db.id_layout = before_6 ? id_index_layout::full : id_index_layout::keyed;
    db.heads = before_6                                      ? head_encoding::cereal
               : version <= newest_combined_format_version ? head_encoding::packed
                                                           : head_encoding::linked;
    db.lazy_heads = version > newest_eager_heads_format_version;
    if (format && decode_u64(*format) > newest_plain_log_format_version) {
        db.log_codec = log_values::load(txn, db.meta,
                                        decode_u64(*format) <= newest_tagged_log_format_version
                                            ? log_values::encoding::tagged
                                            : log_values::encoding::split);
    }
    return db;
}

u64_key encode_u64(std::uint64_t value) noexcept {
    u64_key key{};
    boost::endian::store_big_u64(reinterpret_cast<unsigned char*>(key.data()), value);
    return key;
}

std::uint64_t decode_u64(std::string_view bytes) {
    if (bytes.size() != 8) throw codec_error("expected an 8-byte big-endian integer");
    return boost::endian::load_big_u64(reinterpret_cast<unsigned char const*>(bytes.data()));
}

stream_index_key encode_stream_index_key(std::uint64_t stream_number,
                                         std::uint64_t version) noexcept {
    stream_index_key key{};
    auto* bytes = reinterpret_cast<unsigned char*>(key.data());
    boost::endian::store_big_u64(bytes, stream_number);
    boost::endian::store_big_u64(bytes + 8, version);
    return key;
}

void append_leb128(std::uint64_t value, std::string& out) {
    for (;; value >>= 7) {
        if (value < 0x80) {
            out.push_back(static_cast<char>(value));
            return;
        }
        out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    }
}

std::uint64_t read_leb128(std::string_view bytes, std::size_t& used) {
    std::uint64_t value = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (used == bytes.size() || shift > 63) throw codec_error("a malformed LEB128 number");
        auto const byte = static_cast<unsigned char>(bytes[used++]);
        value |= std::uint64_t{byte & 0x7fu} << shift;
        if ((byte & 0x80) == 0) return value;
    }
}

void encode_stream_head(stream_head const& head, head_encoding encoding, std::string& out) {
    if (encoding == head_encoding::cereal) {
        ledger::detail::string_output_archive ar(out);
        ar(head.stream_number, head.last_version, head.rule_state);
        return;
    }
    append_leb128(head.last_version, out);
    if (encoding == head_encoding::linked) append_leb128(head.last_run, out);
    out.append(head.rule_state);
}

stream_head decode_stream_head(std::string_view bytes, head_encoding encoding, std::uint64_t stream_number) {
    stream_head head;
    if (encoding == head_encoding::cereal) {
        try {
            ledger::detail::memory_input_archive ar(bytes);
            ar(head.stream_number, head.last_version, head.rule_state);
        } catch (std::exception const& e) {
            throw codec_error(std::string("cannot decode stream head: ") + e.what());
        }
        return head;
    }
    head.stream_number = stream_number;
    std::size_t used = 0;
    try {
        head.last_version = read_leb128(bytes, used);
        if (encoding == head_encoding::linked) head.last_run = read_leb128(bytes, used);
    } catch (codec_error const& e) {
        throw codec_error(std::string("cannot decode stream head: ") + e.what());
    }
    head.rule_state.assign(bytes.substr(used));
    return head;
}

std::string encode_chain_head(stored_chain_head const& head) {
    auto const position = encode_u64(head.last_position);
    std::string bytes(position.begin(), position.end());
    bytes.append(reinterpret_cast<char const*>(head.hash.data()), head.hash.size());
    return bytes;
}

stored_chain_head decode_chain_head(std::string_view bytes) {
    if (bytes.size() != 8 + sizeof(sha256_digest)) throw codec_error("malformed chain head");
    stored_chain_head head;
    head.last_position = decode_u64(bytes.substr(0, 8));
    std::copy_n(bytes.data() + 8, head.hash.size(), reinterpret_cast<char*>(head.hash.data()));
    return head;
}

}  // namespace ledger::store::detail
