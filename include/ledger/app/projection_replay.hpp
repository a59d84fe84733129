#pragma once
// Feeding the log to read models: decode an event's data only when some read model reads its
// type, and fold a range of the log into fresh read models (as-of queries, rebuilds, benchmarks).
//
// Nothing here parses JSON: data is decoded from the catalogue's binary form.

#include "ledger/envelope.hpp"
#include "ledger/store/event_store.hpp"
#include "ledger/time.hpp"
#include "projections/read_model.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ledger::app {

/// Decodes event data for a fixed set of read models.
/// Threading: one decoder per thread (it memoises which types are read).
class fold_decoder {
public:
    /// `models` must outlive the decoder.
    explicit fold_decoder(std::span<projections::read_model* const> models);

    /// The decoded data when any of the models reads `event.type`, else nullopt.
    /// Throws ledger::codec_error for data that does not decode.
    std::optional<events::recruitment_event> decode(recorded_event const& event);

    /// decode() into `out`, reusing the memory of the event it holds (a batch slot's).
    void decode_into(recorded_event const& event, std::optional<events::recruitment_event>& out);

    /// The fold input for `event` with `data` (which must outlive it).
    static projections::fold_event view(recorded_event const& event,
                                        std::optional<events::recruitment_event> const& data);

private:
    /// What the decoder knows of a type: whether a model reads it and, once decoded at some
    /// schema version, that version's decoder.
    struct type_memo {
        bool read = false;
        std::uint16_t schema_version = 0;
        events::data_decoder decode = nullptr;  // of schema_version; nullptr until first decoded
    };
    type_memo& memo_of(std::string const& type);
    bool is_read(std::string const& type) { return memo_of(type).read; }

    /// A type name's size and three of its characters: the catalogue's ~30 names hash apart
    /// well enough, for a fraction of hashing every byte (this runs once per event scanned).
    struct type_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view type) const noexcept {
            if (type.empty()) return 0;
            auto const at = [&](std::size_t i) { return std::size_t{static_cast<unsigned char>(type[i])}; };
            return type.size() * 0x9E3779B1u ^ at(0) << 8 ^ at(type.size() / 2) << 16 ^ at(type.size() - 1);
        }
    };

    std::span<projections::read_model* const> models_;
    std::unordered_map<std::string, type_memo, type_hash, std::equal_to<>> memo_by_type_;
};

/// The retracted event of an EventRetracted, read back from the log (one LMDB lookup by
/// position) and decoded, ready to hang on the retraction's fold_event::retracted.
struct retracted_input {
    recorded_event event;
    std::optional<events::recruitment_event> data;
    projections::fold_event view;  // points into this object: keep it where it is
};

/// For `event` with its decoded `data`: when it is an EventRetracted naming an earlier event of
/// its own stream, that event read from `store` and decoded by `decoder`; else nullptr.
/// Throws ledger::codec_error for undecodable data and lmdb::error for storage failures.
std::unique_ptr<retracted_input> read_retracted(store::event_store const& store, fold_decoder& decoder,
                                                recorded_event const& event,
                                                std::optional<events::recruitment_event> const& data);

/// Which part of the log a replay folds: positions from `from_position`, up to and including
/// `to_position`, recorded at or before `recorded_until`.
struct replay_bounds {
    std::uint64_t from_position = 0;
    std::optional<std::uint64_t> to_position;
    std::optional<timestamp> recorded_until;
};

struct replay_outcome {
    std::uint64_t events = 0;                   // events folded
    std::optional<std::uint64_t> last_position;  // of the last event folded
};

/// How replay_log uses the machine's cores.
enum class replay_threads {
    automatic,   // parallel when the machine has more than one hardware thread
    sequential,  // scan, decode and fold on the caller's thread (the reference)
    parallel,    // scan and decode on the caller's thread, fold on lanes (parallel_fold.hpp)
};

/// Folds the events of `bounds` into every model, in log order, in one scan of the log, each
/// event decoded once for all models; retractions come with their retracted event
/// (read_retracted). In parallel the models are folded on up to two lanes (fold_lanes: the
/// models sharing an application table on one), each model's events in log order, so every
/// model ends in the state the sequential fold gives.
/// Throws ledger::codec_error for undecodable data and lmdb::error for storage failures; the
/// models have then folded every event before the one that failed.
/// Threading: the models must not be used elsewhere meanwhile; the call returns after its
/// lane threads have ended.
replay_outcome replay_log(store::event_store const& store,
                          std::span<projections::read_model* const> models,
                          replay_bounds const& bounds,
                          replay_threads threads = replay_threads::automatic);

}  // namespace ledger::app
