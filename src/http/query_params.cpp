#include "detail/routes.hpp"

#include <charconv>

namespace ledger::http::detail {

std::optional<std::string> text_param(boost::urls::params_view query, std::string_view name) {
    auto const found = query.find(name);
    if (found == query.end()) return std::nullopt;
    return std::string((*found).value);
}

result<std::optional<std::uint64_t>> integer_param(boost::urls::params_view query,
                                                   std::string_view name, std::uint64_t max) {
    auto const text = text_param(query, name);
    if (!text) return std::optional<std::uint64_t>{};
    std::uint64_t value = 0;
    auto const* const end = text->data() + text->size();
    auto const [stop, failure] = std::from_chars(text->data(), end, value);
    if (text->empty() || failure != std::errc{} || stop != end || value > max) {
        boost::json::object details;
        details["parameter"] = name;
        details["value"] = *text;
        return error{error_code::bad_request,
                     std::string(name) + " must be an integer from 0 to " + std::to_string(max),
                     std::move(details)};
    }
    return std::optional(value);
}

}  // namespace ledger::http::detail
