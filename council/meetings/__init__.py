"""The meetings area (议): council meetings (议事会/坝坝会/爱邻议事日), agendas approved by the
committee and the party branch, attendance, minutes, outcomes."""
