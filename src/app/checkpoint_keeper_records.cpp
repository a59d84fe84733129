// Reading a stored checkpoint record back: whole, put together from its chunks, viewed in place
// in the map, or decompressed; and whether what was read may stand for a read model.
#include "ledger/app/checkpoint_keeper.hpp"

#include "ledger/app/checkpoint_chunk_codec.hpp"
#include "ledger/app/decompressed_pieces.hpp"
#include "ledger/app/huge_page_bytes.hpp"

#include <algorithm>
#include <cstring>

namespace ledger::app {

std::optional<std::string> checkpoint_keeper::record(std::string const& key, std::string& problem) {
    // mutex_ is never taken while a read transaction is open here (a writer growing the map
    // waits for every transaction to end).
    auto found = waiting_record(key);
    if (!found) found = store_.read_projection_record(key);
    if (!found || !detail::is_manifest(*found)) return found;
    // In chunks: the ones still waiting for a commit from memory, the rest from the store.
    auto const chunks_waiting = waiting_chunks(*found);
    auto const reader = store_.read_projections();
    auto assembled = detail::assemble_checkpoint(
        *found,
        [&](std::string_view chunk) -> std::optional<std::string_view> {
            auto const in_memory = chunks_waiting.find(std::string(chunk));
            if (in_memory != chunks_waiting.end()) return std::string_view(in_memory->second);
            return reader->get(chunk);
        },
        &problem);
    if (!assembled) return found;  // there, not usable (`problem` says why)
    return assembled;
}

namespace {

/// `size` bytes that `fill` writes, and what keeps them: huge pages from `huge_from` bytes on
/// (checkpoint_options::huge_page_record_bytes), a string below; no owner when `fill` fails.
template <class Fill>
checkpoint_keeper::held_record held_copy(std::size_t size, std::size_t huge_from, Fill&& fill) {
    if (size >= huge_from) {
        auto bytes = std::make_shared<huge_page_bytes>(size);
        if (!fill(bytes->data())) return {};
        auto const view = bytes->view();
        return {std::move(bytes), view};
    }
    auto bytes = std::make_shared<std::string>(size, '\0');
    if (!fill(bytes->data())) return {};
    std::string_view const view = *bytes;
    return {std::move(bytes), view};
}

}  // namespace

std::optional<checkpoint_keeper::held_record> checkpoint_keeper::record_held(std::string const& key,
                                                                           std::string& problem) {
    auto in_string = [](std::string bytes) {
        auto owner = std::make_shared<std::string const>(std::move(bytes));
        std::string_view const view = *owner;
        return held_record{std::move(owner), view};
    };
    auto manifest = waiting_record(key);
    if (manifest && !detail::is_manifest(*manifest)) return in_string(std::move(*manifest));
    if (!manifest) {
        auto const reader = store_.read_projections();
        auto const stored = reader->get(key);
        if (!stored) return std::nullopt;
        if (!detail::is_manifest(*stored)) {
            // Whole: one copy out of the map, into huge pages when large.
            return held_copy(stored->size(), options_.huge_page_record_bytes, [&](char* out) {
                if (!stored->empty()) std::memcpy(out, stored->data(), stored->size());
                return true;
            });
        }
        manifest = std::string(*stored);
    }
    // In chunks: the ones still waiting for a commit from memory, the rest from the store, put
    // together into one buffer (huge pages when large) without a second copy. mutex_ is not
    // held while the read transaction is open (waiting_chunks takes it before).
    auto const chunks_waiting = waiting_chunks(*manifest);
    std::uint64_t total = 0;
    if (!detail::decode_manifest(*manifest, &total)) {
        problem = "its chunk list does not decode";
        return in_string(std::move(*manifest));
    }
    auto const reader = store_.read_projections();
    auto held = held_copy(static_cast<std::size_t>(total), options_.huge_page_record_bytes, [&](char* out) {
        return detail::assemble_checkpoint_into(
            *manifest,
            [&](std::string_view chunk) -> std::optional<std::string_view> {
                auto const in_memory = chunks_waiting.find(std::string(chunk));
                if (in_memory != chunks_waiting.end()) return std::string_view(in_memory->second);
                return reader->get(chunk);
            },
            [&](std::size_t) { return out; }, &problem);
    });
    if (!held.owner) return in_string(std::move(*manifest));  // there, not usable (`problem` says why)
    return held;
}

bool checkpoint_keeper::waits(std::string const& key) const {
    std::lock_guard const lock(mutex_);
    auto const named = [&](auto const& records) {
        return std::ranges::find(records, key, &std::pair<std::string, std::string>::first) != records.end();
    };
    return named(pending_) || named(unconfirmed_);
}

std::optional<std::pair<std::shared_ptr<record_lease>, std::string_view>> checkpoint_keeper::whole_in_place(
    std::string const& key) {
    // Waiting for a commit: newer than what is stored (record() reads it from memory).
    if (waits(key)) return std::nullopt;
    auto lease = std::make_shared<record_lease>(store_.read_projections());
    auto const bytes = lease->reader()->get(key);
    // Not stored, or a manifest (its chunks are put together into one copy by record()).
    if (!bytes || detail::is_manifest(*bytes)) return std::nullopt;
    return std::pair{std::move(lease), *bytes};
}

std::optional<std::pair<std::shared_ptr<record_lease>, std::vector<std::string_view>>>
checkpoint_keeper::chunks_in_place(std::string const& key) {
    if (waits(key)) return std::nullopt;
    auto lease = std::make_shared<record_lease>(store_.read_projections());
    auto const* const reader = lease->reader();
    auto const manifest = reader->get(key);
    // Whole (whole_in_place's), or compressed (its chunks must be decompressed somewhere).
    if (!manifest || !detail::is_manifest(*manifest) || detail::is_compressed_manifest(*manifest)) {
        return std::nullopt;
    }
    auto const entries = detail::decode_manifest(*manifest);
    if (!entries) return std::nullopt;
    std::vector<std::string_view> pieces;
    pieces.reserve(entries->size());
    for (auto const& entry : *entries) {
        // A chunk not stored (still waiting for a commit) or not of its length: record_held
        // puts the record together from memory, or says what is wrong.
        auto const bytes = reader->get(entry.key);
        if (!bytes || bytes->size() != entry.size) return std::nullopt;
        pieces.push_back(*bytes);
    }
    return std::pair{std::move(lease), std::move(pieces)};
}

std::optional<detail::decompressed_pieces> checkpoint_keeper::chunks_decompressed(std::string const& key) {
    if (waits(key)) return std::nullopt;
    auto const reader = store_.read_projections();
    auto const manifest = reader->get(key);
    if (!manifest || !detail::is_compressed_manifest(*manifest)) return std::nullopt;
    auto const entries = detail::decode_manifest(*manifest);
    if (!entries) return std::nullopt;
    // Every chunk is decompressed before the read transaction ends: nothing views the map.
    return detail::decompress_pieces(
        *entries, [&](std::string_view chunk) { return reader->get(chunk); }, options_.huge_page_record_bytes);
}

std::optional<detail::projection_snapshot_view> checkpoint_keeper::usable(std::string_view bytes, std::uint32_t code_version,
                                                                          std::uint64_t next_position,
                                                                          std::string& problem) const {
    auto checkpoint = detail::decode_checkpoint_view(bytes, &problem);
    if (checkpoint && !covers(checkpoint->code_version, checkpoint->next_position, code_version, next_position, problem)) {
        return std::nullopt;
    }
    return checkpoint;
}

bool checkpoint_keeper::covers(std::uint32_t stored_version, std::uint64_t stored_next, std::uint32_t code_version,
                               std::uint64_t next_position, std::string& problem) const {
    if (stored_version != code_version) {
        problem = "of code version " + std::to_string(stored_version) + ", the read model is at " +
                  std::to_string(code_version);
    } else if (stored_next != next_position || next_position > store_.head().events) {
        problem = "covers " + std::to_string(stored_next) + " events, not the " + std::to_string(next_position) +
                  " its key says within a log of " + std::to_string(store_.head().events);
    } else {
        return true;
    }
    return false;
}

}  // namespace ledger::app
