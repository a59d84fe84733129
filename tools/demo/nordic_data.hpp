#pragma once
// The world the demo ledger lives in: Nordic employers, source countries, their journals and
// cities, Swedish medical schools, and names. Plain constant tables.

#include <array>
#include <span>
#include <string_view>

namespace ledger::demo {

struct employer {
    std::string_view id;          // organisation id, e.g. "region-jonkoping"
    std::string_view short_name;  // used in stream ids, e.g. "jkpg"
    std::string_view seat;        // main hospital town
    std::string_view language;    // what recruits learn: "sv", "no", "da"
    std::string_view licensing_authority;
};

struct source_country {
    std::string_view code;  // ISO 3166-1 alpha-2
    std::string_view language;
    std::string_view journal;  // where the job ad runs
    std::string_view city;     // where the interviews are held
    bool doctors_scarce;       // the shortage check's answer: trips only where this is false
    std::span<std::string_view const> first_names;
    std::span<std::string_view const> last_names;
};

struct medical_school {
    std::string_view university;
    std::string_view city;
};

std::span<employer const> employers();
std::span<source_country const> source_countries();
std::span<medical_school const> medical_schools();  // the seven of a fair tour
std::span<std::string_view const> specialties();
std::span<std::string_view const> swedish_first_names();
std::span<std::string_view const> swedish_last_names();

}  // namespace ledger::demo
