package etcdtest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
)

// Ports are drawn below Linux's ephemeral range (32768–60999): a port that the kernel hands to
// outgoing connections could be taken between the check here and the member's bind.
const (
	portLow  = 20000
	portHigh = 32000
)

// freePorts returns n distinct loopback ports that were free a moment ago. Another process may
// still take one before etcd binds it; the cluster start retries with new ports then.
func freePorts(n int) ([]int, error) {
	seen := map[int]bool{}
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries > 100*n {
			return nil, errors.New("free ports: none found")
		}
		p := portLow + rand.IntN(portHigh-portLow)
		if seen[p] {
			continue
		}
		seen[p] = true
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			continue
		}
		_ = ln.Close()
		ports = append(ports, p)
	}
	return ports, nil
}
