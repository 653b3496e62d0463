// Names of Sahara operations, for logs and metrics.
#include "translators/sahara/model.hpp"

namespace sgw::sahara {

std::string_view to_string(api_version v) noexcept { return v == api_version::v2 ? "v2" : "v1.1"; }

std::string_view to_string(operation op) noexcept {
    switch (op) {
        case operation::list: return "list";
        case operation::show: return "show";
        case operation::refresh_status: return "refresh_status";
        case operation::cancel: return "cancel";
        case operation::update: return "update";
        case operation::remove: return "delete";
        case operation::execute: return "execute";
        case operation::cluster_list: return "cluster_list";
        case operation::cluster_show: return "cluster_show";
        case operation::template_list: return "job_template_list";
        case operation::template_show: return "job_template_show";
        case operation::data_source_list: return "data_source_list";
        case operation::data_source_show: return "data_source_show";
    }
    return "unknown";
}

}  // namespace sgw::sahara
