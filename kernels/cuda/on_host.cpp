// The CUDA kernels' grids (kernels/cuda/grid.h) run by the host launcher.
#include "kernels/cuda/on_host.h"

#include "kernels/cuda/grid.h"
#include "kernels/host_launcher.h"

namespace vrev::kernels::cuda {

KernelSet kernels_on_host() { return grid::kernel_set<HostLauncher>("cuda arithmetic on the host"); }

}  // namespace vrev::kernels::cuda
