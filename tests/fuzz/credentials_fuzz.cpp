// The credentials file reader on any text: a clean ConfigError or a store
// whose users and work factor survive writing it out and reading it back.
#include <cstdint>

#include "auth/credentials.hpp"
#include "base/error.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace orou;
    auth::CredentialStore store;
    try {
        store = auth::CredentialStore::parse(fuzz::as_text(data, size), "fuzz.json");
    } catch (const ConfigError&) {
        return 0;  // refused with a message: fine
    }
    for (const auto& user : store.users()) fuzz::require(auth::valid_user_name(user), "every user name is valid");
    auto again = auth::CredentialStore::parse(store.to_json(), "again.json");
    fuzz::require(again.users() == store.users(), "users survive a write and a read");
    fuzz::require(again.work_factor() == store.work_factor(), "the work factor survives a write and a read");
    if (store.work_factor() <= 4 && !store.users().empty()) {
        (void)store.verify(store.users().front(), auth::Secret("guess"));  // cheap only when the factor is tiny
    }
    return 0;
}
