#include "ledger/app/projection_checkpoint.hpp"

#include "ledger/detail/binary_archive.hpp"
#include "ledger/sha256.hpp"

#include <cereal/types/array.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>

#include <cstdio>

namespace ledger::app {
namespace detail {
namespace {

constexpr std::uint32_t checkpoint_tag = 0x31434D52;  // "RMC1": read-model checkpoint, format 1
constexpr std::uint32_t month_tag = 0x314D4D52;       // "RMM1": a month's first position
constexpr std::uint32_t index_tag = 0x31494D52;       // "RMI1": the checkpoint index

std::chrono::year_month month_of(timestamp t) {
    std::chrono::year_month_day const day{std::chrono::floor<std::chrono::days>(t)};
    return {day.year(), day.month()};
}

}  // namespace

std::string checkpoint_key(std::string_view name, std::uint64_t next_position) {
    char digits[24];
    std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(next_position));
    return "checkpoint/" + std::string(name) + "/" + digits;
}

std::string checkpoint_table_key(std::uint64_t next_position) {
    char digits[24];
    std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(next_position));
    return std::string("checkpoint-table/applications/") + digits;
}

std::string month_key(timestamp t) {
    auto const month = month_of(t);
    char text[32];
    std::snprintf(text, sizeof text, "checkpoint-month/%04d-%02u", static_cast<int>(month.year()),
                  static_cast<unsigned>(month.month()));
    return text;
}

timestamp previous_month_start(timestamp t) {
    auto const before = month_of(t) - std::chrono::months(1);
    return timestamp(std::chrono::sys_days(before / std::chrono::day(1)));
}

bool same_month(timestamp a, timestamp b) { return month_of(a) == month_of(b); }

std::string encode_checkpoint(projection_checkpoint const& checkpoint) {
    return encode_state_record(checkpoint_tag, checkpoint);
}

std::optional<projection_checkpoint> decode_checkpoint(std::string_view bytes, std::string* problem, bool verify) {
    return decode_state_record(checkpoint_tag, "checkpoint", bytes, problem, verify);
}

std::optional<projection_snapshot_view> decode_checkpoint_view(std::string_view bytes, std::string* problem) {
    return decode_state_record_view(checkpoint_tag, "checkpoint", bytes, problem, true);
}

std::string encode_index(std::map<std::string, std::uint32_t> const& index) {
    std::string out;
    ledger::detail::string_output_archive archive(out);
    archive(index_tag, index);
    return out;
}

std::map<std::string, std::uint32_t> decode_index(std::string_view bytes) {
    try {
        ledger::detail::memory_input_archive archive(bytes);
        std::uint32_t tag = 0;
        std::map<std::string, std::uint32_t> index;
        archive(tag);
        if (tag != index_tag) return {};
        archive(index);
        ledger::detail::expect_consumed(archive, "checkpoint index");
        return index;
    } catch (std::exception const&) {
        return {};
    }
}

std::string encode_month(std::uint64_t first_position) {
    std::string out;
    ledger::detail::string_output_archive archive(out);
    archive(month_tag, first_position);
    return out;
}

std::optional<std::uint64_t> decode_month(std::string_view bytes) {
    try {
        ledger::detail::memory_input_archive archive(bytes);
        std::uint32_t tag = 0;
        std::uint64_t position = 0;
        archive(tag, position);
        ledger::detail::expect_consumed(archive, "checkpoint month record");
        if (tag != month_tag) return std::nullopt;
        return position;
    } catch (std::exception const&) {
        return std::nullopt;
    }
}

}  // namespace detail

checkpoint_boundary checkpoint_boundaries::at(recorded_event const& event) {
    checkpoint_boundary boundary;
    if (event.position == 0) {
        last_position_ = 0;
        last_recorded_ = event.recorded_at;
        return boundary;
    }
    boundary.interval = options_.every != 0 && event.position % options_.every == 0;
    if (options_.month_starts) {
        if (last_position_ != event.position - 1) {
            auto const before = store_.read_event(event.position - 1);
            if (before) last_recorded_ = before->recorded_at;
        }
        boundary.month_start = !detail::same_month(last_recorded_, event.recorded_at);
    }
    last_position_ = event.position;
    last_recorded_ = event.recorded_at;
    return boundary;
}

}  // namespace ledger::app
