// Partition assigner giving every partition to one member: a stage whose state spans the whole input (the
// identity graph) has one owner and standbys. The current owner keeps ownership across rebalances.
import { AssignerProtocol, type Assigner, type PartitionAssigner } from 'kafkajs';

export const SINGLE_OWNER = 'TesseraSingleOwner';

/** Picks the member that says it owns the input, else the smallest member id (deterministic). */
export function chooseOwner(members: { memberId: string; owns: boolean }[]): string | null {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  return (sorted.find((m) => m.owns) ?? sorted[0])?.memberId ?? null;
}

export function singleOwnerAssigner(ownsInput: () => boolean): PartitionAssigner {
  return ({ cluster }): Assigner => ({
    name: SINGLE_OWNER,
    version: 0,
    async assign({ members, topics }) {
      const owner = chooseOwner(members.map((m) => {
        const meta = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
        return { memberId: m.memberId, owns: meta?.userData?.toString() === 'owner' };
      }));
      const all: Record<string, number[]> = {};
      for (const topic of topics) all[topic] = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId).sort((a, b) => a - b);
      return members.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: memberId === owner ? all : {}, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return {
        name: SINGLE_OWNER,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.from(ownsInput() ? 'owner' : 'standby') }),
      };
    },
  });
}
