package main

import (
	"net"
	"os"
	"slices"
	"testing"
)

func TestListeningInodes(t *testing.T) {
	const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1151 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9001 1 00000000dfb46f30 100 0 0 10 0
   1: 0100007F:1152 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9002 1 000000009eb4db31 100 0 0 10 0
   2: 0100007F:D2B4 0100007F:1151 01 00000000:00000000 00:00000000 00000000     0        0 9003 1 0000000053d5dbac 20 4 30 10 -1
   3: 0100007F:1151 0100007F:D2B4 01 00000000:00000000 00:00000000 00000000     0        0 9004 1 00000000351d22ed 20 4 30 10 -1
`
	const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1151 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9005 1 0000000000000000 100 0 0 10 0
`
	if got := listeningInodes(tcp, 4433); !slices.Equal(got, []string{"9001"}) {
		t.Errorf("tcp, port 4433: %v, want [9001] (not the connections to or from it)", got)
	}
	if got := listeningInodes(tcp6, 4433); !slices.Equal(got, []string{"9005"}) {
		t.Errorf("tcp6, port 4433: %v, want [9005]", got)
	}
	if got := listeningInodes(tcp, 4434); !slices.Equal(got, []string{"9002"}) {
		t.Errorf("port 4434: %v, want [9002]", got)
	}
	if got := listeningInodes(tcp, 4435); len(got) != 0 {
		t.Errorf("port 4435: %v, want none", got)
	}
	if got := listeningInodes("garbage\n\n0: x y 0A", 4433); len(got) != 0 {
		t.Errorf("garbage: %v", got)
	}
}

func TestPidListeningOn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	pid, err := pidOfURL("http://" + ln.Addr().String() + "/")
	if err != nil || pid != os.Getpid() {
		t.Fatalf("pidOfURL(this test's listener) = %d, %v; want %d", pid, err, os.Getpid())
	}
	if _, err := pidOfURL("http://192.0.2.1:4433"); err == nil {
		t.Error("pidOfURL of another machine: no error")
	}
}
