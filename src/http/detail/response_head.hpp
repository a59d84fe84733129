#pragma once
// The head of a response (status line, fields, the empty line) as Beast's serializer writes
// it, in one string. Includes Beast's message headers only: session.cpp and its test use it.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace ledger::http::detail {

/// The bytes Beast's serializer sends before the body of `message`: "HTTP/X.Y NNN reason\r\n"
/// (the message's reason, else the status's standard one), then every field in the message's
/// order as "Name: value\r\n", then "\r\n". For a message that is not chunked, these bytes
/// followed by the body are exactly what beast::http::async_write sends (the test compares
/// them), in one gathered write instead of Beast's serializer walking a concatenation of
/// buffer sequences, which cost about as many instructions per answer as everything else the
/// bare server does (docs/performance.md, "HTTP appends: CPU per request on the I/O side").
/// Precondition: !message.chunked() (Beast would frame the body in chunks).
std::string response_head(boost::beast::http::response<boost::beast::http::string_body> const& message);

}  // namespace ledger::http::detail
