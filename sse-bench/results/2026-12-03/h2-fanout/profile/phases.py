import re,collections,sys
txt=open(sys.argv[1]).read()
evs=txt.split('jdk.ExecutionSample')[1:]
def setup(frames): return any(('SinkStreams' in f) or ('H2ClientFrames' in f) or ('doClose' in f) for f in frames)
phases=[('connection writability flips (channelWritabilityChanged)','channelWritabilityChanged'),
        ('connection flush (ConnectionFlush.run)','H2StreamSink$ConnectionFlush.run'),
        ('child writes (LoopPartition.writeToAll)','LoopPartition.writeToAll')]
sub=[('writability visits (ListenerWritabilityMonitor, onHttp2StreamWritabilityChanged, child setWritable)',['ListenerWritabilityMonitor.visit','checkAllWritabilityChanged','writabilityChanged','setWritable']),
     ('sink transport doWrite (incl. write promises completed, listeners run, buffers released)',['SinkChannel.doWrite']),
     ('DefaultHttp2FrameWriter.writeData (header buffer, SimpleChannelPromiseAggregator)',['DefaultHttp2FrameWriter.writeData']),
     ('CoalescingBufferQueue.remove in FlowControlledData.write',['CoalescingBufferQueue.remove']),
     ('WeightedFairQueueByteDistributor',['WeightedFairQueueByteDistributor']),
     ('encoder.writeData: FlowControlledData + CoalescingBufferQueue, flow-controller enqueue',['DefaultHttp2ConnectionEncoder.writeData']),
     ('child Unsafe.write: validate, promise, listener lambda, pending-bytes',['Http2ChannelUnsafe.write']),
     ('H2StreamSink.write itself (chunk parse, DefaultHttp2DataFrame, retainedSlice)',['H2StreamSink.write']),
     ('pipeline walk, retainedDuplicate, isWritable',['writeAndFlush','retainedDuplicate','isWritable']),
     ]
pc=collections.Counter(); sc=collections.Counter(); n=0
for e in evs:
    th=re.search(r'sampledThread = "([^"]+)"',e)
    if not th or not th.group(1).startswith('bench-loop'): continue
    frames=re.findall(r'^\s+([\w\.$<>]+)\(.*?\)\s+line:',e,re.M)
    if setup(frames): continue
    n+=1
    p=next((name for name,key in phases if any(key in f for f in frames)),'other')
    s=next((name for name,keys in sub if any(k in f for f in frames for k in keys)),'other')
    pc[p]+=1; sc[(p,s)]+=1
print("loop samples in measurement",n)
for k,v in pc.most_common(): print("%5.1f%% %s"%(100*v/n,k))
print()
for k,v in sorted(sc.items(), key=lambda kv:-kv[1])[:16]: print("%5.1f%% | %s | %s"%(100*v/n,k[0],k[1]))
