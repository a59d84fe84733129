// libFuzzer harness for the event catalogue's validator and the binary decoders. The first
// byte picks the target, the next line is an event type name, the rest is the payload:
//   0: JSON text → events::encode_data; what it accepts must decode again (decode_event) and
//      re-encode to the same bytes through data_to_json (the round trip stored events rely on);
//   1: bytes → events::decode_event (stored data of any version);
//   2: bytes → ledger::decode_stored (a whole stored envelope).
// Malformed input may only be refused (an error value or codec_error), never crash.

#include "events/catalog.hpp"
#include "events/recruitment_event.hpp"
#include "ledger/envelope_codec.hpp"

#include <boost/json/parse.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace ledger;

void encode_and_round_trip(std::string_view type, std::string_view json_text) {
    boost::system::error_code failure;
    auto const data = boost::json::parse(json_text, failure);
    if (failure) return;
    auto const encoded = events::encode_data(type, data, 0);
    if (!encoded) return;
    (void)events::decode_event(type, encoded->schema_version, encoded->bytes);  // must not throw
    auto const again = events::encode_data(
        type, events::data_to_json(type, encoded->schema_version, encoded->bytes), 0);
    if (!again || again->bytes != encoded->bytes) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) return 0;
    std::string_view input(reinterpret_cast<char const*>(data) + 1, size - 1);
    auto const end = input.find('\n');
    std::string const type(input.substr(0, end));
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    try {
        switch (data[0] % 3) {
        case 0: encode_and_round_trip(type, input); break;
        case 1: (void)events::decode_event(type, 1, input); break;
        default: (void)decode_stored(input); break;
        }
    } catch (codec_error const&) {
        // The documented refusal of malformed bytes.
    }
    return 0;
}
