#include "detail/response_head.hpp"

#include <boost/beast/http/status.hpp>

#include <cassert>

namespace ledger::http::detail {

std::string response_head(boost::beast::http::response<boost::beast::http::string_body> const& message) {
    assert(!message.chunked());
    namespace bhttp = boost::beast::http;
    auto const version = message.version();
    auto const code = message.result_int();
    auto reason = message.reason();
    if (reason.empty()) reason = bhttp::obsolete_reason(static_cast<bhttp::status>(code));
    std::size_t size = 13 + reason.size() + 2 + 2;
    for (auto const& field : message) size += field.name_string().size() + 2 + field.value().size() + 2;
    std::string out;
    out.reserve(size);
    // As Beast's fields writer: "HTTP/" X "." Y " " and the code in three digits.
    char const start[] = {'H', 'T', 'T', 'P', '/', static_cast<char>('0' + version / 10), '.',
                          static_cast<char>('0' + version % 10), ' ', static_cast<char>('0' + code / 100),
                          static_cast<char>('0' + (code / 10) % 10), static_cast<char>('0' + code % 10), ' '};
    out.append(start, sizeof start);
    out.append(reason.data(), reason.size());
    out += "\r\n";
    for (auto const& field : message) {
        auto const name = field.name_string();
        auto const value = field.value();
        out.append(name.data(), name.size());
        out += ": ";
        out.append(value.data(), value.size());
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

}  // namespace ledger::http::detail
