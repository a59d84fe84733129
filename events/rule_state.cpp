#include "events/rules.hpp"

#include "ledger/detail/memory_streambuf.hpp"
#include "ledger/envelope_codec.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <istream>
#include <sstream>

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
    std::ostringstream out(std::ios::binary);
    {
        cereal::PortableBinaryOutputArchive ar(out);
        ar(state_format);
        archive_state(ar, state);
    }
    return std::move(out).str();
}

rule_state decode_rule_state(std::string_view bytes) {
    rule_state state;
    if (bytes.empty()) return state;  // a stream the policy has not seen yet
    ledger::detail::memory_streambuf buffer(bytes);
    std::istream in(&buffer);
    try {
        cereal::PortableBinaryInputArchive ar(in);
        std::uint8_t format = 0;
        ar(format);
        if (format != state_format) throw codec_error("unknown rule state format");
        archive_state(ar, state);
    } catch (codec_error const&) {
        throw;
    } catch (std::exception const& ex) {
        throw codec_error(std::string("cannot decode rule state: ") + ex.what());
    }
    if (in.peek() != std::char_traits<char>::eof()) {
        throw codec_error("rule state has trailing bytes");
    }
    return state;
}

}  // namespace ledger::events
