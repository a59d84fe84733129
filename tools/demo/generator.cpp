#include "scenario.hpp"

namespace ledger::demo {
namespace detail {

demo_writer::demo_writer(demo_options const& options, std::function<void(demo_batch)> const& emit)
    : random_(options.seed), emit_(emit), budget_(options.events) {}

int demo_writer::between(int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random_);
}

bool demo_writer::chance(double probability) {
    return std::bernoulli_distribution(probability)(random_);
}

demo_event demo_writer::event(std::string type, date on, boost::json::object data) {
    // Version-4 ids from the seeded generator: the same seed gives the same ids, so loading a
    // demo twice into one ledger is an idempotent no-op.
    uuid id{};
    std::uint64_t const high = random_();
    std::uint64_t const low = random_();
    for (int i = 0; i < 8; ++i) {
        id.data[i] = static_cast<std::uint8_t>(high >> (8 * i));
        id.data[8 + i] = static_cast<std::uint8_t>(low >> (8 * i));
    }
    id.data[6] = static_cast<std::uint8_t>((id.data[6] & 0x0F) | 0x40);
    id.data[8] = static_cast<std::uint8_t>((id.data[8] & 0x3F) | 0x80);
    return demo_event{id, std::move(type), on, std::move(data)};
}

void demo_writer::append(std::string stream, std::vector<demo_event> events) {
    if (done() || events.empty()) return;
    auto const room = budget_ - emitted_;
    if (events.size() > room) events.resize(room);  // a prefix of a valid batch is valid
    emitted_ += events.size();
    emit_(demo_batch{std::move(stream), store::expected_version::any(), std::move(events), {}});
}

void demo_writer::retract(std::string stream, uuid const& id, date on, std::string reason) {
    if (done()) return;
    ++emitted_;
    auto retraction = event("EventRetracted", on, {{"reason", std::move(reason)}});
    emit_(demo_batch{std::move(stream), store::expected_version::any(), {std::move(retraction)}, id});
}

std::string demo_writer::next_id(std::string_view prefix) {
    auto const number = std::to_string(++serial_);
    return std::string(prefix) + "-" + std::string(6 - std::min<std::size_t>(6, number.size()), '0') + number;
}

std::string day(date d) { return format_date(d); }

date on(int year, unsigned month, unsigned day_of_month) {
    return date{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day_of_month}};
}

}  // namespace detail

void generate(demo_options const& options, std::function<void(demo_batch)> const& emit) {
    detail::demo_writer writer(options, emit);
    // Round 0 is one realistic cycle: per region and year a target, a trip, a fair tour and a
    // GP drive. Larger ledgers add further rounds of trips and GP drives.
    auto const countries = source_countries();
    for (int round = 0; !writer.done(); ++round) {
        for (int year = 2019; year <= 2025 && !writer.done(); ++year) {
            std::size_t index = 0;
            for (auto const& region : employers()) {
                if (writer.done()) return;
                // Trips go to the countries whose doctors are not scarce; scarce ones get a
                // shortage check that stops the trip there.
                auto const& country = countries[(index++ + static_cast<std::size_t>(year + round)) % countries.size()];
                detail::recruitment_trip(writer, region, country, year, round);
                if (round == 0) detail::fair_tour(writer, region, year);
                detail::gp_matching(writer, region, year, round);
            }
        }
    }
}

}  // namespace ledger::demo
