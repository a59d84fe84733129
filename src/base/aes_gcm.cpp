#include "ledger/aes_gcm.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>
#include <memory>
#include <stdexcept>
#include <string>

namespace ledger {
namespace {

struct cipher_context_free {
    void operator()(EVP_CIPHER_CTX* context) const noexcept { EVP_CIPHER_CTX_free(context); }
};
using cipher_context = std::unique_ptr<EVP_CIPHER_CTX, cipher_context_free>;

unsigned char const* bytes(std::string_view text) noexcept {
    return reinterpret_cast<unsigned char const*>(text.data());
}
unsigned char* bytes(std::string& text) noexcept {
    return reinterpret_cast<unsigned char*>(text.data());
}

int length(std::string_view text) {
    if (text.size() > INT_MAX) throw std::runtime_error("aes-gcm: input too large");
    return static_cast<int>(text.size());
}

void check(int ok, char const* what) {
    if (ok != 1) throw std::runtime_error(std::string("aes-gcm: ") + what + " failed");
}

// One context set up for `encrypt` with key, nonce and aad already fed in.
cipher_context start(bool encrypt, std::string_view key, std::string_view nonce,
                     std::string_view aad) {
    // Checked at run time, not asserted: a short key would make OpenSSL read past its end.
    if (key.size() != aes_gcm_key_size) {
        throw std::invalid_argument("aes-gcm: the key must be " + std::to_string(aes_gcm_key_size) + " bytes");
    }
    if (nonce.size() != aes_gcm_nonce_size) {
        throw std::invalid_argument("aes-gcm: the nonce must be " + std::to_string(aes_gcm_nonce_size) + " bytes");
    }
    cipher_context context(EVP_CIPHER_CTX_new());
    if (!context) throw std::runtime_error("aes-gcm: out of memory");
    check(EVP_CipherInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce),
                            encrypt ? 1 : 0),
          "init");
    int ignored = 0;
    if (!aad.empty()) {
        check(EVP_CipherUpdate(context.get(), nullptr, &ignored, bytes(aad), length(aad)), "aad");
    }
    return context;
}

}  // namespace

std::string random_bytes(std::size_t size) {
    std::string out(size, '\0');
    if (size > INT_MAX || RAND_bytes(bytes(out), static_cast<int>(size)) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    return out;
}

std::string aes_gcm_seal(std::string_view key, std::string_view plaintext, std::string_view aad) {
    return aes_gcm_seal(key, random_bytes(aes_gcm_nonce_size), plaintext, aad);
}

std::string aes_gcm_seal(std::string_view key, std::string_view nonce, std::string_view plaintext,
                         std::string_view aad) {
    auto const context = start(true, key, nonce, aad);
    std::string out(nonce);
    out.resize(nonce.size() + plaintext.size() + aes_gcm_tag_size);
    auto* cipher = bytes(out) + nonce.size();
    int written = 0;
    check(EVP_EncryptUpdate(context.get(), cipher, &written, bytes(plaintext), length(plaintext)),
          "encrypt");
    int final_bytes = 0;  // always 0 for GCM, a stream mode
    check(EVP_EncryptFinal_ex(context.get(), cipher + written, &final_bytes), "final");
    check(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, aes_gcm_tag_size,
                              cipher + plaintext.size()),
          "tag");
    return out;
}

std::optional<std::string> aes_gcm_open(std::string_view key, std::string_view sealed,
                                        std::string_view aad) {
    if (sealed.size() < aes_gcm_nonce_size + aes_gcm_tag_size) return std::nullopt;
    auto const nonce = sealed.substr(0, aes_gcm_nonce_size);
    auto const cipher =
        sealed.substr(aes_gcm_nonce_size, sealed.size() - aes_gcm_nonce_size - aes_gcm_tag_size);
    std::string tag(sealed.substr(sealed.size() - aes_gcm_tag_size));
    auto const context = start(false, key, nonce, aad);
    std::string plain(cipher.size(), '\0');
    int written = 0;
    check(EVP_DecryptUpdate(context.get(), bytes(plain), &written, bytes(cipher), length(cipher)),
          "decrypt");
    check(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, aes_gcm_tag_size, tag.data()),
          "tag");
    int final_bytes = 0;
    if (EVP_DecryptFinal_ex(context.get(), bytes(plain) + written, &final_bytes) != 1) {
        return std::nullopt;  // the tag does not match: tampered, or the wrong key or aad
    }
    return plain;
}

}  // namespace ledger
