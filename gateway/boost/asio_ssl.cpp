// Compiles Asio's SSL support once for the whole project.
#include <boost/asio/ssl/impl/src.hpp>
