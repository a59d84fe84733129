#include "events/rules.hpp"

#include "ledger/detail/binary_archive.hpp"
#include "ledger/envelope_codec.hpp"

#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>


namespace ledger::events {
namespace {

// Bumped when rule_state's layout changes; decode then needs a path for the old layout.
constexpr std::uint8_t state_format = 1;

template <class Archive, class State>
void archive_state(Archive& ar, State& s) {
    ar(s.creation_position, s.closed_by, s.erased, s.retracted, s.shortage_checks,
       s.brokerage_consent, s.applications);
}

}  // namespace

std::string encode_rule_state(rule_state const& state) {
    std::string out;
    ledger::detail::string_output_archive ar(out);
    ar(state_format);
    archive_state(ar, state);
    return out;
}

rule_state decode_rule_state(std::string_view bytes) {
    rule_state state;
    if (bytes.empty()) return state;  // a stream the policy has not seen yet
    try {
        ledger::detail::memory_input_archive ar(bytes);
        std::uint8_t format = 0;
        ar(format);
        if (format != state_format) throw codec_error("unknown rule state format");
        archive_state(ar, state);
        ledger::detail::expect_consumed(ar, "rule state");
    } catch (codec_error const&) {
        throw;
    } catch (std::exception const& ex) {
        throw codec_error(std::string("cannot decode rule state: ") + ex.what());
    }
    return state;
}

}  // namespace ledger::events
