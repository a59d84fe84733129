#pragma once
// A read-only std::streambuf over memory someone else owns, so cereal can decode straight from
// an LMDB page without copying the value first.

#include <streambuf>
#include <string_view>

namespace ledger::detail {

class memory_streambuf : public std::streambuf {
public:
    explicit memory_streambuf(std::string_view bytes) {
        // streambuf's interface takes non-const pointers but an input-only buffer never writes.
        char* begin = const_cast<char*>(bytes.data());
        setg(begin, begin, begin + bytes.size());
    }
};

}  // namespace ledger::detail
