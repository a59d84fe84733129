// configure_logging (detail/log_format.hpp): spdlog patterns, with a flag that writes the
// message as the inside of a JSON string.

#include "detail/log_format.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string_view>
#include <utility>

namespace ledger::http::detail {
namespace {

/// The request the current thread is logging for (request_id_scope); empty when none.
thread_local std::string_view current_request_id;

void append_json_escaped(std::string_view text, spdlog::memory_buf_t& out) {
    for (char const c : text) {
        switch (c) {
        case '"': out.append(std::string_view("\\\"")); break;
        case '\\': out.append(std::string_view("\\\\")); break;
        case '\n': out.append(std::string_view("\\n")); break;
        case '\r': out.append(std::string_view("\\r")); break;
        case '\t': out.append(std::string_view("\\t")); break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char escaped[8];
                auto const length = std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned>(c));
                out.append(escaped, escaped + length);
            } else {
                out.push_back(c);
            }
        }
    }
}

/// %j: the message, escaped for a JSON string (quotes, backslashes, control characters).
class json_escaped_message final : public spdlog::custom_flag_formatter {
public:
    void format(spdlog::details::log_msg const& message, std::tm const&, spdlog::memory_buf_t& out) override {
        append_json_escaped(std::string_view(message.payload.data(), message.payload.size()), out);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<json_escaped_message>();
    }
};

/// %Q: `,"request_id":"…"` while a request_id_scope is active on this thread, else nothing.
class request_id_member final : public spdlog::custom_flag_formatter {
public:
    void format(spdlog::details::log_msg const&, std::tm const&, spdlog::memory_buf_t& out) override {
        if (current_request_id.empty()) return;
        out.append(std::string_view(R"(,"request_id":")"));
        append_json_escaped(current_request_id, out);
        out.push_back('"');
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<request_id_member>();
    }
};

}  // namespace

request_id_scope::request_id_scope(std::string_view request_id) noexcept
    : previous_(std::exchange(current_request_id, request_id)) {}

request_id_scope::~request_id_scope() { current_request_id = previous_; }

void configure_logging(std::string const& format, std::string const& level) {
    // Logs go to stderr so stdout stays free for anything a script may want to read.
    auto logger = spdlog::stderr_logger_mt("recruit-ledgerd");
    if (format == "json") {
        auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
        formatter->add_flag<json_escaped_message>('j').add_flag<request_id_member>('Q').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","logger":"%n","message":"%j"%Q})");
        logger->set_formatter(std::move(formatter));
    } else {
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
    }
    spdlog::set_default_logger(std::move(logger));
    spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace ledger::http::detail
