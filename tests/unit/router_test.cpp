// Routing of Sahara paths (sahara-api.md §1).
#include "gateway/router.hpp"

#include <boost/test/unit_test.hpp>

using namespace sgw;
namespace http = boost::beast::http;

namespace {
const std::string P = "37caa80116e1403ab603e5eeb48a2f74";
const std::string J = "2de74673-1a78-48af-a95b-e1fec4a4ae9c";

unsigned status_of(const route_result& r) {
    if (auto* e = std::get_if<route_error>(&r)) return e->status;
    return 200;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(router)

BOOST_AUTO_TEST_CASE(cancel_route) {
    auto r = route(http::verb::get, "/v1.1/" + P + "/job-executions/" + J + "/cancel");
    auto* m = std::get_if<route_match>(&r);
    BOOST_TEST_REQUIRE(m != nullptr);
    BOOST_TEST((m->op == sahara::operation::cancel));
    BOOST_TEST(m->project_id == P);
    BOOST_TEST(m->id == J);
}

BOOST_AUTO_TEST_CASE(json_suffix_and_query) {
    BOOST_TEST(status_of(route(http::verb::get, "/v1.1/" + P + "/job-executions/" + J + "/cancel.json")) == 200u);
    BOOST_TEST(status_of(route(http::verb::get, "/v1.1/" + P + "/job-executions/" + J + "/cancel?x=1")) == 200u);
}

BOOST_AUTO_TEST_CASE(wrong_method_is_405) {
    for (auto v : {http::verb::post, http::verb::put, http::verb::delete_, http::verb::patch})
        BOOST_TEST(status_of(route(v, "/v1.1/" + P + "/job-executions/" + J + "/cancel")) == 405u);
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_404) {
    for (const std::string& t : std::vector<std::string>{"/v1.1", "/v1.0/" + P + "/job-executions/" + J + "/cancel",
                          "/v1.1/" + P + "/job-executions/" + J + "/cancel/",  // Flask: no trailing slash
                          "/v1.1/" + P + "/job-executions//cancel", "/v1.1/" + P + "/clusters/" + J + "/cancel",
                          "/v1.1/" + P + "/job-executions/" + J + "/kill"})
        BOOST_TEST(status_of(route(http::verb::get, t)) == 404u, t);
}

BOOST_AUTO_TEST_CASE(parameters_cannot_reshape_the_upstream_path) {
    for (const std::string& t : std::vector<std::string>{"/v1.1/" + P + "/job-executions/..%2F..%2Fclusters/cancel",
                          "/v1.1/" + P + "/job-executions/a%2Fb/cancel", "/v1.1/%2E%2E/job-executions/" + J + "/cancel",
                          "/v1.1/" + P + "/job-executions/" + std::string(65, 'a') + "/cancel",
                          "/v1.1/" + P + "/job-executions/a%00b/cancel", "/v1.1/" + P + "/job-executions/a b/cancel"})
        BOOST_TEST(status_of(route(http::verb::get, t)) != 200u, t);
}

BOOST_AUTO_TEST_CASE(unparsable_target_is_400) {
    BOOST_TEST(status_of(route(http::verb::get, "http://example.com/x")) == 400u);
    BOOST_TEST(status_of(route(http::verb::get, "/v1.1/%zz")) == 400u);
}

BOOST_AUTO_TEST_SUITE_END()
