// The zstd frames of the log's values (issue 18, branch appends-http): the appending threads make
// them with ZSTD_compress_usingCDict_advanced (no per-frame parameter setup) and must make exactly
// the frames that ZSTD_compress2 with the dictionary referenced made before, so ledgers written
// before and after hold the same bytes and stay as small.

#include "support/catalog_samples.hpp"

#include "detail/log_values.hpp"

#include "events/catalog.hpp"
#include "ledger/envelope.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <zstd.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>

using namespace ledger;
using namespace ledger::store;

namespace {

/// What ZSTD_compress2 makes of `input` with dictionary 2 at the log's level and parameters.
std::string frame_by_compress2(std::string_view input) {
    std::unique_ptr<ZSTD_CDict, decltype(&ZSTD_freeCDict)> const dictionary(
        ZSTD_createCDict(detail::builtin_template_dictionary().data(), detail::builtin_template_dictionary().size(),
                         detail::log_values::default_level),
        ZSTD_freeCDict);
    std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> const context(ZSTD_createCCtx(), ZSTD_freeCCtx);
    ZSTD_CCtx_setParameter(context.get(), ZSTD_c_checksumFlag, 0);
    ZSTD_CCtx_setParameter(context.get(), ZSTD_c_dictIDFlag, 0);
    ZSTD_CCtx_setParameter(context.get(), ZSTD_c_contentSizeFlag, 1);
    ZSTD_CCtx_refCDict(context.get(), dictionary.get());
    std::string out(ZSTD_compressBound(input.size()), '\0');
    auto const size = ZSTD_compress2(context.get(), out.data(), out.size(), input.data(), input.size());
    REQUIRE_FALSE(ZSTD_isError(size));
    out.resize(size);
    return out;
}

/// An event as an appending thread prepares it: no writer fields yet.
recorded_event unsealed(std::string type, std::string data, std::mt19937_64& random) {
    recorded_event e;
    e.stream = "campaign-bench-" + std::to_string(random() % 64);
    e.type = std::move(type);
    e.schema_version = 1;
    e.occurred_at = from_micros(1'700'000'000'000'000 + static_cast<std::int64_t>(random() % 1'000'000'000));
    e.actor = random() % 2 == 0 ? "anonymous" : "writer-" + std::to_string(random() % 100);
    if (random() % 3 == 0) e.metadata = R"({"source":"Jönköping","n":)" + std::to_string(random() % 1000) + "}";
    e.data = std::move(data);
    return e;
}

}  // namespace

TEST_CASE("prepared frames are byte for byte what ZSTD_compress2 made for every catalogue type", "[store][format5][frames]") {
    auto const codec = detail::log_values::with_dictionaries({{2, std::string(detail::builtin_template_dictionary())}});
    std::mt19937_64 random(42);
    int compared = 0;
    for (int round = 0; round < 20; ++round) {
        for (auto const& sample : ledger::testing::catalog_samples()) {
            auto encoded = events::encode_data(sample.type, boost::json::parse(sample.data), 0);
            REQUIRE(encoded.has_value());
            auto data = std::move(encoded->bytes);
            if (round % 4 == 3) data += std::string(1 + random() % 200, static_cast<char>('a' + random() % 26));
            std::string prepared;
            codec->prepare(unsealed(std::string(sample.type), data, random), prepared);
            // tag (u8) ‖ template size (u32) ‖ template ‖ frame (detail/log_values.hpp)
            REQUIRE(prepared.size() > 5);
            std::uint32_t size = 0;
            std::memcpy(&size, prepared.data() + 1, sizeof size);
            REQUIRE(prepared.size() >= 5 + std::size_t{size});
            auto const templ = std::string_view(prepared).substr(5, size);
            auto const frame = std::string_view(prepared).substr(5 + size);
            if (prepared.front() == '\0') continue;  // kept uncompressed
            CHECK(frame == frame_by_compress2(templ));
            ++compared;
        }
    }
    CHECK(compared > 200);
}
