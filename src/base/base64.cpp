#include "ledger/base64.hpp"

#include <openssl/evp.h>

#include <climits>

namespace ledger {

std::string base64_encode(std::string_view bytes) {
    if (bytes.size() > INT_MAX / 2) return {};  // far beyond any field the catalogue holds
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                    reinterpret_cast<unsigned char const*>(bytes.data()),
                    static_cast<int>(bytes.size()));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0 || text.size() > INT_MAX / 2) return std::nullopt;
    std::string out(3 * (text.size() / 4), '\0');
    int const size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<unsigned char const*>(text.data()),
                                     static_cast<int>(text.size()));
    if (size < 0) return std::nullopt;
    // EVP_DecodeBlock counts padding as zero bytes; drop them.
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') ++padding;
    if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
    out.resize(static_cast<std::size_t>(size) - padding);
    return out;
}

}  // namespace ledger
