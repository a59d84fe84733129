#pragma once
// The number tokens of a JSON text, to check how numbers are spelled (SPEC §6: plain decimals).

#include <string>
#include <vector>

namespace ledger::testing {

/// Every number token of compact JSON `text` (what starts with '-' or a digit outside strings).
inline std::vector<std::string> json_number_tokens(std::string const& text) {
    std::vector<std::string> out;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char const c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            auto const end = text.find_first_of(",]}", i);
            out.push_back(text.substr(i, end - i));
            i = end - 1;
        }
    }
    return out;
}

}  // namespace ledger::testing
